/* tips_places.c - the states of Mexico and the United States, for the
 * intake's place and for triage (a state named in a tip). */
#include <string.h>

#include "tips/tips_int.h"

const tips_mx_state tips_mx_states[] = {
    {"AGU", "aguascalientes"}, {"BCN", "baja california"}, {"BCS", "baja california sur"},
    {"CAM", "campeche"}, {"CHP", "chiapas"}, {"CHH", "chihuahua"}, {"COA", "coahuila"},
    {"COL", "colima"}, {"CMX", "ciudad de mexico"}, {"DUR", "durango"}, {"GUA", "guanajuato"},
    {"GRO", "guerrero"}, {"HID", "hidalgo"}, {"JAL", "jalisco"}, {"MEX", "estado de mexico"},
    {"MIC", "michoacan"}, {"MOR", "morelos"}, {"NAY", "nayarit"}, {"NLE", "nuevo leon"},
    {"OAX", "oaxaca"}, {"PUE", "puebla"}, {"QUE", "queretaro"}, {"ROO", "quintana roo"},
    {"SLP", "san luis potosi"}, {"SIN", "sinaloa"}, {"SON", "sonora"}, {"TAB", "tabasco"},
    {"TAM", "tamaulipas"}, {"TLA", "tlaxcala"}, {"VER", "veracruz"}, {"YUC", "yucatan"},
    {"ZAC", "zacatecas"},
};
const size_t tips_mx_nstates = sizeof tips_mx_states / sizeof tips_mx_states[0];

int tips_mx_state_valid(const char *code) {
    for (size_t i = 0; code && i < tips_mx_nstates; i++)
        if (strcmp(code, tips_mx_states[i].code) == 0) return 1;
    return 0;
}

static const char US[] = "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO "
                             "MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY";

int tips_us_state_valid(const char *code) {
    if (!code || strlen(code) != 2) return 0;
    for (size_t i = 0; i + 2 <= sizeof US - 1; i += 3) /* "AL AK ...": a code every 3 bytes */
        if (US[i] == code[0] && US[i + 1] == code[1]) return 1;
    return 0;
}

int tips_state_code(const char *country, size_t i, char out[8]) {
    if (country && !strcmp(country, "MX") && i < tips_mx_nstates) {
        memcpy(out, tips_mx_states[i].code, strlen(tips_mx_states[i].code) + 1);
        return 1;
    }
    if (country && !strcmp(country, "US") && 3 * i + 2 <= sizeof US - 1) {
        out[0] = US[3 * i];
        out[1] = US[3 * i + 1];
        out[2] = '\0';
        return 1;
    }
    return 0;
}
