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

/* Municipalities named in tips (triage): the municipality heads a tip names
 * by their city, where the framework's cases concentrate - the border
 * crossings, the trafficking corridors, the state capitals whose names are
 * not their state's. Phrases are folded (lower case, accents stripped); a
 * phrase shared by several municipalities (Guadalupe, Juárez, Victoria,
 * Cuauhtémoc, Benito Juárez) is written the unambiguous way ("ciudad
 * juarez", "cancun") or left out, and so is a name that is also a common
 * word or surname (La Paz, Naco, Zamora, Escobedo, Apodaca, "iguala"). Names: INEGI, Marco Geoestadistico
 * (data/tips/SOURCE.md). Not the whole catalogue (2,469 municipalities):
 * docs/tips.md "Triage". */
const tips_mx_municipality tips_mx_municipalities[] = {
    /* Baja California */
    {"BCN", "Tijuana", "tijuana"}, {"BCN", "Mexicali", "mexicali"}, {"BCN", "Tecate", "tecate"},
    {"BCN", "Ensenada", "ensenada"}, {"BCN", "Playas de Rosarito", "rosarito"},
    {"BCS", "Los Cabos", "los cabos"},
    /* Sonora */
    {"SON", "Nogales", "nogales"}, {"SON", "San Luis Río Colorado", "san luis rio colorado"},
    {"SON", "Agua Prieta", "agua prieta"}, {"SON", "Hermosillo", "hermosillo"}, {"SON", "Caborca", "caborca"},
    {"SON", "Cajeme (Ciudad Obregón)", "ciudad obregon"}, {"SON", "Guaymas", "guaymas"},
    /* Chihuahua */
    {"CHH", "Juárez (Ciudad Juárez)", "ciudad juarez"}, {"CHH", "Ojinaga", "ojinaga"},
    {"CHH", "Nuevo Casas Grandes", "nuevo casas grandes"}, {"CHH", "Hidalgo del Parral", "parral"},
    {"CHH", "Guadalupe y Calvo", "guadalupe y calvo"}, {"CHH", "Praxedis G. Guerrero", "praxedis"},
    /* Coahuila */
    {"COA", "Piedras Negras", "piedras negras"}, {"COA", "Acuña (Ciudad Acuña)", "ciudad acuna"},
    {"COA", "Saltillo", "saltillo"}, {"COA", "Torreón", "torreon"}, {"COA", "Monclova", "monclova"},
    /* Nuevo León */
    {"NLE", "Monterrey", "monterrey"}, {"NLE", "San Nicolás de los Garza", "san nicolas de los garza"},
    /* Tamaulipas */
    {"TAM", "Nuevo Laredo", "nuevo laredo"}, {"TAM", "Reynosa", "reynosa"}, {"TAM", "Matamoros", "matamoros"},
    {"TAM", "Miguel Alemán", "miguel aleman"}, {"TAM", "Río Bravo", "rio bravo"},
    {"TAM", "Victoria (Ciudad Victoria)", "ciudad victoria"}, {"TAM", "Tampico", "tampico"},
    /* Sinaloa */
    {"SIN", "Culiacán", "culiacan"}, {"SIN", "Mazatlán", "mazatlan"}, {"SIN", "Navolato", "navolato"},
    {"SIN", "Badiraguato", "badiraguato"}, {"SIN", "Ahome (Los Mochis)", "los mochis"}, {"SIN", "Guasave", "guasave"},
    /* Durango, Zacatecas */
    {"DUR", "Gómez Palacio", "gomez palacio"}, {"ZAC", "Fresnillo", "fresnillo"},
    /* Jalisco, Nayarit, Colima */
    {"JAL", "Guadalajara", "guadalajara"}, {"JAL", "Zapopan", "zapopan"}, {"JAL", "Tlaquepaque", "tlaquepaque"},
    {"JAL", "Tlajomulco de Zúñiga", "tlajomulco"}, {"JAL", "Puerto Vallarta", "puerto vallarta"},
    {"JAL", "Lagos de Moreno", "lagos de moreno"}, {"NAY", "Tepic", "tepic"}, {"COL", "Manzanillo", "manzanillo"},
    /* Michoacán, Guerrero */
    {"MIC", "Morelia", "morelia"}, {"MIC", "Uruapan", "uruapan"}, {"MIC", "Apatzingán", "apatzingan"},
    {"MIC", "Lázaro Cárdenas", "lazaro cardenas"}, {"MIC", "Aguililla", "aguililla"},
    {"GRO", "Acapulco de Juárez", "acapulco"}, {"GRO", "Chilpancingo de los Bravo", "chilpancingo"},
    {"GRO", "Iguala de la Independencia", "iguala de la independencia"}, {"GRO", "Chilapa de Álvarez", "chilapa"},
    /* Guanajuato, Morelos, Estado de México */
    {"GUA", "León", "leon guanajuato"}, {"GUA", "Celaya", "celaya"}, {"GUA", "Irapuato", "irapuato"},
    {"MOR", "Cuernavaca", "cuernavaca"}, {"MEX", "Toluca", "toluca"},
    {"MEX", "Ecatepec de Morelos", "ecatepec"}, {"MEX", "Nezahualcóyotl", "nezahualcoyotl"},
    {"MEX", "Naucalpan de Juárez", "naucalpan"},
    /* the south-east */
    {"CHP", "Tapachula", "tapachula"}, {"CHP", "Tuxtla Gutiérrez", "tuxtla gutierrez"}, {"CHP", "Suchiate", "suchiate"},
    {"CHP", "Comitán de Domínguez", "comitan"}, {"ROO", "Benito Juárez (Cancún)", "cancun"},
    {"ROO", "Othón P. Blanco (Chetumal)", "chetumal"}, {"ROO", "Solidaridad (Playa del Carmen)", "playa del carmen"},
    {"VER", "Veracruz", "puerto de veracruz"}, {"VER", "Coatzacoalcos", "coatzacoalcos"}, {"VER", "Xalapa", "xalapa"},
    {"VER", "Poza Rica de Hidalgo", "poza rica"}, {"TAB", "Centro (Villahermosa)", "villahermosa"},
    {"YUC", "Mérida", "merida"}, {"OAX", "Oaxaca de Juárez", "oaxaca de juarez"}, {"PUE", "Tehuacán", "tehuacan"},
};
const size_t tips_mx_nmunicipalities = sizeof tips_mx_municipalities / sizeof tips_mx_municipalities[0];
