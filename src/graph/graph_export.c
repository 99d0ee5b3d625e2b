/* graph_export.c - a node set and the edges among it as GraphML (yEd,
 * Gephi, i2 import) or FtM JSON lines (Aleph, OpenSanctions tools). */
#include <stdlib.h>
#include <string.h>

#include "graph/graph_int.h"

static void xml_str(pu_buf *out, const char *s) {
    for (; *s; s++) switch (*s) {
        case '<': pu_buf_puts(out, "&lt;"); break;
        case '>': pu_buf_puts(out, "&gt;"); break;
        case '&': pu_buf_puts(out, "&amp;"); break;
        case '"': pu_buf_puts(out, "&quot;"); break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n') pu_buf_putc(out, *s);
        }
}

/* in[v] = 1 for the nodes of the set (all when n = 0). */
static int select_nodes(const graph *g, const char *const *keys, size_t n, unsigned char **in, pu_err *err) {
    *in = calloc(g->nodes.len ? g->nodes.len : 1, 1);
    if (!*in) return pu_fail(err, PU_ERR_NOMEM, NULL, NULL, "out of memory");
    if (!n) memset(*in, 1, g->nodes.len);
    for (size_t i = 0; i < n; i++) {
        uint32_t v;
        int rc = graph_find(g, keys[i], &v, err);
        if (rc) {
            free(*in);
            *in = NULL;
            return rc;
        }
        (*in)[v] = 1;
    }
    const gnode *N = g->nodes.data;
    for (size_t v = 0; v < g->nodes.len; v++)
        if (N[v].orcon) (*in)[v] = 0;   /* another agency's ORCON record is not re-shared */
    return PU_OK;
}

int graph_write_graphml(const graph *g, const char *const *keys, size_t n, pu_buf *out, pu_err *err) {
    unsigned char *in;
    int rc = select_nodes(g, keys, n, &in, err);
    if (rc) return rc;
    const gnode *N = g->nodes.data;
    const gedge *E = g->edges.data;
    pu_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
                     "<key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n"
                     "<key id=\"kind\" for=\"node\" attr.name=\"kind\" attr.type=\"string\"/>\n"
                     "<key id=\"type\" for=\"edge\" attr.name=\"type\" attr.type=\"string\"/>\n"
                     "<key id=\"source\" for=\"edge\" attr.name=\"source\" attr.type=\"string\"/>\n"
                     "<key id=\"date\" for=\"edge\" attr.name=\"date\" attr.type=\"string\"/>\n"
                     "<graph id=\"puente\" edgedefault=\"undirected\">\n");
    for (size_t v = 0; v < g->nodes.len; v++) {
        if (!in[v]) continue;
        pu_buf_puts(out, "<node id=\"");
        xml_str(out, N[v].id);
        pu_buf_puts(out, "\"><data key=\"label\">");
        xml_str(out, N[v].label);
        pu_buf_printf(out, "</data><data key=\"kind\">%s</data></node>\n", N[v].kind);
    }
    for (size_t e = 0; e < g->edges.len; e++) {
        if (!in[E[e].a] || !in[E[e].b]) continue;
        pu_buf_printf(out, "<edge id=\"e%zu\" source=\"", e);
        xml_str(out, N[E[e].a].id);
        pu_buf_puts(out, "\" target=\"");
        xml_str(out, N[E[e].b].id);
        pu_buf_printf(out, "\"><data key=\"type\">%s</data><data key=\"source\">", E[e].type);
        xml_str(out, E[e].src);
        pu_buf_printf(out, "</data><data key=\"date\">%s</data></edge>\n", E[e].date);
    }
    pu_buf_puts(out, "</graph>\n</graphml>\n");
    free(in);
    return PU_OK;
}

/* The FtM schema a node is exported as. */
static const char *ftm_schema_of(const gnode *n) {
    if (!strcmp(n->kind, "address")) return "Address";
    if (!strcmp(n->kind, "cargo.party") || !strcmp(n->kind, "dealer")) return "LegalEntity";
    if (!strcmp(n->kind, "firearm")) return "Thing";
    if (!strcmp(n->kind, "case")) return "Project";   /* FtM: an activity of a group of participants */
    return "Person";
}

/* FtM ids: letters, digits, '.', '-' and '_'; a node id maps to "pu-graph-" + its id with others as '-'. */
static void ftm_id(pu_buf *out, const char *id) {
    pu_buf_puts(out, "pu-graph-");
    for (; *id; id++) {
        char c = *id;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
        pu_buf_putc(out, ok ? c : '-');
    }
}

int graph_write_ftm(const graph *g, const char *const *keys, size_t n, pu_buf *out, pu_err *err) {
    unsigned char *in;
    int rc = select_nodes(g, keys, n, &in, err);
    if (rc) return rc;
    const gnode *N = g->nodes.data;
    const gedge *E = g->edges.data;
    for (size_t v = 0; v < g->nodes.len; v++) {
        if (!in[v]) continue;
        pu_buf_puts(out, "{\"id\":\"");
        ftm_id(out, N[v].id);
        pu_buf_printf(out, "\",\"schema\":\"%s\",\"properties\":{\"name\":[", ftm_schema_of(&N[v]));
        graph_json_str(out, N[v].label);
        pu_buf_puts(out, "],\"sourceUrl\":[");
        graph_json_str(out, N[v].id);
        pu_buf_puts(out, "]}}\n");
    }
    for (size_t e = 0; e < g->edges.len; e++) {
        if (!in[E[e].a] || !in[E[e].b]) continue;
        pu_buf_printf(out, "{\"id\":\"pu-graph-edge-%zu\",\"schema\":\"UnknownLink\",\"properties\":{\"subject\":[\"", e);
        ftm_id(out, N[E[e].a].id);
        pu_buf_puts(out, "\"],\"object\":[\"");
        ftm_id(out, N[E[e].b].id);
        pu_buf_printf(out, "\"],\"role\":[\"%s\"],\"summary\":[", E[e].type);
        graph_json_str(out, E[e].src);
        pu_buf_putc(out, ']');
        if (E[e].date[0]) pu_buf_printf(out, ",\"startDate\":[\"%s\"]", E[e].date);
        pu_buf_puts(out, "}}\n");
    }
    free(in);
    return PU_OK;
}
