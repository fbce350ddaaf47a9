/* Profile files and options for the host tools (aot/profile_args.h). Parsing is strict: every
 * word must be understood, and the message names the one that is not. */
#include "aot/profile_args.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mcubpf/helpers.h"
#include "mcubpf/test_helpers.h"

static const char *const default_names[MBPF_HELPER_DEFAULT_COUNT] = {
    NULL, "log", "kv_store", "kv_fetch", "kv_store_global", "kv_fetch_global",
    "now_ms", "memcpy", "memcmp", "sensor_read",
};

static const char *const conformance_names[MBPF_TEST_HELPER_COUNT] = {
    "gather_bytes", "memfrob", "no_op", "sqrti", "strcmp_ext", "unwind",
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int mbpf_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (*end || errno)
        return -1;
    *out = v;
    return 0;
}

static uint32_t id_limit(const mbpf_tool_profile *tp)
{
    return tp->conformance ? MBPF_TEST_HELPER_COUNT : MBPF_RT_MAX_HELPERS;
}

int mbpf_tool_offer_helper(mbpf_tool_profile *tp, uint32_t id, char *err, size_t errlen)
{
    if (id >= id_limit(tp) || (!tp->conformance && id == 0)) {
        fail(err, errlen, "helper id %u is out of range: the device has helper ids %u..%u", id,
             tp->conformance ? 0u : 1u, id_limit(tp) - 1);
        return 0;
    }
    if (id < 64)
        tp->p.helpers_lo |= 1ull << id;
    else
        tp->p.helpers_hi |= 1ull << (id - 64);
    return 1;
}

static void offer_defaults(mbpf_tool_profile *tp)
{
    for (uint32_t id = 1; id < MBPF_HELPER_DEFAULT_COUNT; id++)
        tp->p.helpers_lo |= 1ull << id;
}

void mbpf_tool_profile_default(mbpf_tool_profile *tp)
{
    memset(tp, 0, sizeof *tp);
    for (uint32_t id = 1; id < MBPF_HELPER_DEFAULT_COUNT; id++)
        snprintf(tp->names[id], MBPF_HELPER_NAME_MAX, "%s", default_names[id]);
    offer_defaults(tp);
    tp->p.ctx_flags = MBPF_REGION_R | MBPF_REGION_W;
    tp->p.stack_len = MBPF_STACK_SIZE * MBPF_MAX_CALL_DEPTH;
}

void mbpf_tool_profile_conformance(mbpf_tool_profile *tp)
{
    tp->conformance = 1;
    memset(tp->names, 0, sizeof tp->names);
    tp->p.helpers_lo = tp->p.helpers_hi = 0;
    for (uint32_t id = 0; id < MBPF_TEST_HELPER_COUNT; id++) {
        snprintf(tp->names[id], MBPF_HELPER_NAME_MAX, "%s", conformance_names[id]);
        tp->p.helpers_lo |= 1ull << id;
    }
}

const char *mbpf_tool_helper_name(const mbpf_tool_profile *tp, uint32_t id, char *buf, size_t len)
{
    if (id < MBPF_TOOL_MAX_HELPER_ID && tp->names[id][0])
        snprintf(buf, len, "%s", tp->names[id]);
    else
        snprintf(buf, len, "helper %u", id);
    return buf;
}

int mbpf_tool_helper_id(const mbpf_tool_profile *tp, const char *name)
{
    for (int id = 0; id < MBPF_TOOL_MAX_HELPER_ID; id++)
        if (tp->names[id][0] && !strcmp(tp->names[id], name))
            return id;
    return -1;
}

static int valid_name(const char *s)
{
    if (!*s || strlen(s) >= MBPF_HELPER_NAME_MAX || (*s >= '0' && *s <= '9'))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return 0;
    return 1;
}

/* "log,kv_fetch,12" */
static int set_helpers(mbpf_tool_profile *tp, const char *list, char *err, size_t errlen)
{
    tp->p.helpers_lo = tp->p.helpers_hi = 0;
    if (!strcmp(list, "none"))
        return 0;
    char buf[1024];
    if (strlen(list) >= sizeof buf)
        return fail(err, errlen, "--helpers: list too long");
    snprintf(buf, sizeof buf, "%s", list);
    if (list[0] == ',' || list[strlen(list) - 1] == ',' || strstr(list, ",,"))
        return fail(err, errlen, "--helpers: empty name in '%s'", list);
    for (char *save = NULL, *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        uint64_t id;
        if (!strcmp(w, "default") && !tp->conformance) {
            offer_defaults(tp);
        } else if (w[0] >= '0' && w[0] <= '9') {
            /* decimal ids only: "0x6" reads like the bitmask this option once took */
            if (strspn(w, "0123456789") != strlen(w) || mbpf_parse_u64(w, &id))
                return fail(err, errlen, "--helpers: '%s' is not a helper name or a decimal id "
                            "(helpers are named, not given as a bitmask)", w);
            if (!mbpf_tool_offer_helper(tp, id > UINT32_MAX ? UINT32_MAX : (uint32_t)id, err, errlen))
                return -1;
        } else {
            int k = mbpf_tool_helper_id(tp, w);
            if (k < 0)
                return fail(err, errlen, "--helpers: unknown helper '%s' (known: %s)", w,
                            tp->conformance ? "gather_bytes, memfrob, no_op, sqrti, strcmp_ext, unwind"
                                            : "log, kv_store, kv_fetch, kv_store_global, "
                                              "kv_fetch_global, now_ms, memcpy, memcmp, sensor_read, "
                                              "default, none, ids, names given by 'helper ID NAME'");
            mbpf_tool_offer_helper(tp, (uint32_t)k, err, errlen);
        }
    }
    return 0;
}

static int set_u32(const char *key, const char *value, uint32_t *out, char *err, size_t errlen)
{
    uint64_t v;
    if (mbpf_parse_u64(value, &v) || v > UINT32_MAX)
        return fail(err, errlen, "--%s: '%s' is not a number", key, value ? value : "");
    *out = (uint32_t)v;
    return 0;
}

int mbpf_tool_profile_set(mbpf_tool_profile *tp, const char *key, const char *value, char *err,
                          size_t errlen)
{
    if (!strcmp(key, "strict")) {
        if (value && *value)
            return fail(err, errlen, "strict takes no value (got '%s')", value);
        tp->p.flags |= MBPF_PROFILE_STRICT;
        return 0;
    }
    if (!value || !*value)
        return fail(err, errlen, "--%s needs a value", key);
    if (!strcmp(key, "helpers"))
        return set_helpers(tp, value, err, errlen);
    if (!strcmp(key, "helper")) {
        char idw[32], name[64], extra[8];
        uint64_t id;
        int n = sscanf(value, "%31s %63s %7s", idw, name, extra);
        if (n != 2 || mbpf_parse_u64(idw, &id) || !valid_name(name))
            return fail(err, errlen, "helper: expected 'helper ID NAME', got '%s'", value);
        if (!mbpf_tool_offer_helper(tp, id > UINT32_MAX ? UINT32_MAX : (uint32_t)id, err, errlen))
            return -1;
        snprintf(tp->names[id], MBPF_HELPER_NAME_MAX, "%s", name);
        return 0;
    }
    if (!strcmp(key, "ctx")) {
        if (!strcmp(value, "rw"))
            tp->p.ctx_flags = MBPF_REGION_R | MBPF_REGION_W;
        else if (!strcmp(value, "ro"))
            tp->p.ctx_flags = MBPF_REGION_R;
        else if (!strcmp(value, "none"))
            tp->p.ctx_flags = 0;
        else
            return fail(err, errlen, "--ctx: '%s' is not rw, ro or none", value);
        return 0;
    }
    if (!strcmp(key, "ctx-min"))
        return set_u32(key, value, &tp->p.ctx_min_len, err, errlen);
    if (!strcmp(key, "max-insns"))
        return set_u32(key, value, &tp->p.max_insns, err, errlen);
    if (!strcmp(key, "stack")) {
        if (set_u32(key, value, &tp->p.stack_len, err, errlen))
            return -1;
        if (tp->p.stack_len < MBPF_STACK_SIZE)
            return fail(err, errlen, "--stack: %u bytes is less than one frame (%d bytes)",
                        tp->p.stack_len, MBPF_STACK_SIZE);
        return 0;
    }
    return fail(err, errlen, "unknown profile setting '%s'", key);
}

int mbpf_tool_profile_load(mbpf_tool_profile *tp, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return fail(err, errlen, "%s: %s", path, strerror(errno));
    char line[1200], msg[512];
    int lineno = 0, rc = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "#\r\n")] = 0;
        char *k = line + strspn(line, " \t");
        if (!*k)
            continue;
        char *v = k + strcspn(k, " \t");
        if (*v)
            *v++ = 0;
        v += strspn(v, " \t");
        for (char *e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t');)
            *--e = 0;
        if (mbpf_tool_profile_set(tp, k, v, msg, sizeof msg))
            rc = fail(err, errlen, "%s:%d: %s", path, lineno, msg);
    }
    fclose(f);
    return rc;
}

int mbpf_tool_profile_option(mbpf_tool_profile *tp, int argc, char **argv, int *i, char *err,
                             size_t errlen)
{
    static const char *const with_value[] = {"helpers", "ctx", "ctx-min", "stack", "max-insns"};
    const char *a = argv[*i];
    if (strncmp(a, "--", 2))
        return 0;
    const char *key = a + 2;
    if (!strcmp(key, "strict"))
        return mbpf_tool_profile_set(tp, key, NULL, err, errlen) ? -1 : 1;
    if (!strcmp(key, "profile")) {
        if (*i + 1 >= argc)
            return fail(err, errlen, "--profile needs a file");
        return mbpf_tool_profile_load(tp, argv[++*i], err, errlen) ? -1 : 1;
    }
    for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
        if (!strcmp(key, with_value[k])) {
            if (*i + 1 >= argc)
                return fail(err, errlen, "%s needs a value", a);
            return mbpf_tool_profile_set(tp, key, argv[++*i], err, errlen) ? -1 : 1;
        }
    return 0;
}

void mbpf_tool_profile_usage(FILE *f)
{
    fprintf(f,
            "Device profile (what the device offers the program; the device checks the same):\n"
            "  --profile FILE    settings from FILE, one per line (docs/formats.md)\n"
            "  --helpers LIST    helpers offered: names or ids, comma-separated; 'default' (the\n"
            "                    runtime's set: log, kv_store, kv_fetch, kv_store_global,\n"
            "                    kv_fetch_global, now_ms, memcpy, memcmp, sensor_read), 'none'\n"
            "  --ctx rw|ro|none  access granted to the context (default rw)\n"
            "  --ctx-min BYTES   contexts are at least BYTES long (default 0)\n"
            "  --stack BYTES     the tenant's stack, 512 bytes per call level (default 4096)\n"
            "  --strict          every memory access must be proven in bounds\n");
}
