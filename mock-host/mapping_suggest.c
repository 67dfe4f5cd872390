/*
 * mapping_suggest.c - suggestions for ITxM mapping, by name similarity:
 * normalised words (lower case, no punctuation, filler such as "school"
 * dropped) shared between the two names; 60 of 100 or more is alike
 * enough.  An org whose identifier equals a location's name is that
 * location.
 */
#include "mapping_suggest.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "store_names.h"

/* Lower-case words without punctuation or filler ("school", "the"...). */
static void normalise(const char *in, char *out, size_t cap)
{
    static const char *const filler[] = {"school", "the", "of", "sch", "campus"};
    char word[64];
    size_t o = 0, w = 0, i;
    for (;; in++) {
        if (*in != '\0' && isalnum((unsigned char)*in) && w < sizeof word - 1) {
            word[w++] = (char)tolower((unsigned char)*in);
            continue;
        }
        word[w] = '\0';
        if (w > 0) {
            int skip = 0;
            for (i = 0; i < sizeof filler / sizeof filler[0]; i++)
                skip |= strcmp(word, filler[i]) == 0;
            if (!skip && o + w + 2 < cap) {
                if (o)
                    out[o++] = ' ';
                memcpy(out + o, word, w);
                o += w;
            }
        }
        w = 0;
        if (*in == '\0')
            break;
    }
    out[o] = '\0';
}

/* 0..100: how alike two names are, by shared normalised words. */
static int similarity(const char *a, const char *b)
{
    char na[256], nb[256], *save = NULL, *tok;
    int shared = 0, wa = 0, wb = 0;
    normalise(a, na, sizeof na);
    normalise(b, nb, sizeof nb);
    if (na[0] == '\0' || nb[0] == '\0')
        return 0;
    if (strcmp(na, nb) == 0)
        return 100;
    for (tok = nb; *tok; tok++)
        wb += *tok == ' ';
    wb++;
    for (tok = strtok_r(na, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char padded[260], hay[260];
        wa++;
        snprintf(padded, sizeof padded, " %s ", tok);
        snprintf(hay, sizeof hay, " %s ", nb);
        shared += strstr(hay, padded) != NULL;
    }
    return 200 * shared / (wa + wb);
}

typedef struct suggestion {
    const char *name, *alt;
    int best;
    char *out;
    size_t cap;
} suggestion;

static int consider(void *vctx, const char *cand)
{
    suggestion *g = vctx;
    int score = similarity(g->name, cand);
    if (g->alt != NULL && g->alt[0] != '\0' && strcasecmp(g->alt, cand) == 0)
        score = 100;  /* the identifier names the location */
    if (score > g->best) {
        g->best = score;
        snprintf(g->out, g->cap, "%s", cand);
    }
    return 0;
}

/* The most similar name of `list`, or "" below 60. */
static void suggest(mh_store *s, mh_name_list list, const char *name, const char *alt,
                    char *out, size_t cap)
{
    suggestion g = {name, alt, 59, out, cap};
    out[0] = '\0';
    mh_store_name_each(s, list, consider, &g);
}

/* Role names differ between an SIS and a help desk. */
static const char *role_synonym(const char *sis_role)
{
    static const char *const pairs[][2] = {
        {"student", "Student"}, {"teacher", "Teacher"}, {"aide", "Staff"},
        {"administrator", "Administrator"}, {"districtAdministrator", "Administrator"},
        {"siteAdministrator", "Administrator"}, {"systemAdministrator", "Administrator"},
        {"principal", "Administrator"}, {"counselor", "Staff"}, {"proctor", "Staff"},
        {"guardian", "Parent"}, {"parent", "Parent"}, {"relative", "Parent"}};
    size_t i;
    for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (strcmp(pairs[i][0], sis_role) == 0)
            return pairs[i][1];
    return sis_role;
}

void mh_suggest_portal_role(mh_store *s, const char *sis_role, char *out, size_t cap)
{
    suggest(s, MH_PORTAL_ROLES, role_synonym(sis_role), sis_role, out, cap);
}

void mh_suggest_location(mh_store *s, const char *org_name, const char *identifier, char *out,
                         size_t cap)
{
    suggest(s, MH_LOCATIONS, org_name, identifier, out, cap);
}
