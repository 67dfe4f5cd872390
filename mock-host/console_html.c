/*
 * console_html.c - the escaping HTML writer and the page frame.
 *
 * mh_html() escapes every %s argument, so a page writer never has to
 * remember to: the only unescaped text is the format string, which is a
 * literal of this program.  Escaping covers text and quoted attribute
 * values (& < > " ').
 */
#include "console_html.h"

#include <ctype.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decls.h"

void mh_html_text(mh_str *o, const char *s)
{
    const char *run;
    if (s == NULL)
        return;
    for (run = s; *s != '\0'; s++) {
        const char *e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;"
                      : *s == '"' ? "&quot;" : *s == '\'' ? "&#39;" : NULL;
        if (e == NULL)
            continue;
        mh_str_add(o, run, (size_t)(s - run));
        mh_str_adds(o, e);
        run = s + 1;
    }
    mh_str_add(o, run, (size_t)(s - run));
}

void mh_url_enc(mh_str *o, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char b[3];
    for (; s != NULL && *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            mh_str_add(o, s, 1);
            continue;
        }
        b[0] = '%';
        b[1] = hex[c >> 4];
        b[2] = hex[c & 15];
        mh_str_add(o, b, 3);
    }
}

/* One conversion of mh_html's format, copied into spec (with its '%'). */
static size_t conversion(const char *f, char *spec, size_t cap)
{
    size_t n = 1;
    while (f[n] != '\0' && strchr("0123456789.-lz", f[n]) != NULL)
        n++;
    if (f[n] != '\0')
        n++;
    if (n >= cap)
        n = cap - 1;
    memcpy(spec, f, n);
    spec[n] = '\0';
    return n;
}

void mh_html(mh_str *o, const char *fmt, ...)
{
    va_list ap;
    const char *run = fmt, *f;
    char spec[16], num[64];
    va_start(ap, fmt);
    for (f = fmt; *f != '\0';) {
        size_t n;
        char last;
        if (*f != '%') {
            f++;
            continue;
        }
        mh_str_add(o, run, (size_t)(f - run));
        if (f[1] == '%') {
            mh_str_adds(o, "%");
            f += 2;
            run = f;
            continue;
        }
        n = conversion(f, spec, sizeof spec);
        last = spec[n - 1];
        if (last == 's')
            mh_html_text(o, va_arg(ap, const char *));
        else if (last == 'f')
            snprintf(num, sizeof num, spec, va_arg(ap, double)), mh_str_adds(o, num);
        else if (strstr(spec, "ll") != NULL)
            snprintf(num, sizeof num, spec, va_arg(ap, long long)), mh_str_adds(o, num);
        else if (strchr(spec, 'z') != NULL)
            snprintf(num, sizeof num, spec, va_arg(ap, size_t)), mh_str_adds(o, num);
        else if (strchr(spec, 'l') != NULL)
            snprintf(num, sizeof num, spec, va_arg(ap, long)), mh_str_adds(o, num);
        else
            snprintf(num, sizeof num, spec, va_arg(ap, int)), mh_str_adds(o, num);
        f += n;
        run = f;
    }
    mh_str_add(o, run, (size_t)(f - run));
    va_end(ap);
}

void mh_html_begin(mh_str *o, const char *title, const char *app, int itxm)
{
    mh_html(o, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
               "<title>%s - mock-host</title>"
               "<link rel=\"stylesheet\" href=\"/static/console.css\"></head><body>\n"
               "<header><span class=\"brand\">mock-host</span><nav>"
               "<a href=\"/marketplace\">Integration Marketplace</a>"
               "<a href=\"/apps\">Installed Apps</a><a href=\"/users\">Users</a></nav></header>\n",
            title);
    if (app != NULL) {
        mh_str e = {0};
        mh_url_enc(&e, app);
        mh_html(o, "<nav class=\"tabs\"><span class=\"app\">%s</span>", app);
        mh_html(o, "<a href=\"/apps/%s/setup\">Setup</a><a href=\"/apps/%s/fields\">Field Mapping</a>"
                   "<a href=\"/apps/%s/sync\">Sync</a>", e.data, e.data, e.data);
        if (itxm)
            mh_html(o, "<a href=\"/apps/%s/roles\">Role Mapping</a>"
                       "<a href=\"/apps/%s/locations\">Location Mapping</a>", e.data, e.data);
        mh_str_adds(o, "</nav>\n");
        mh_str_free(&e);
    }
    mh_html(o, "<main>\n<h1>%s</h1>\n", title);
}

void mh_html_end(mh_str *o)
{
    mh_str_adds(o, "</main>\n</body></html>\n");
}

void mh_html_csrf(mh_str *o, mh_session *s)
{
    mh_html(o, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", mh_session_csrf(s));
}

void mh_html_flash(mh_str *o, mh_session *s, const char *field)
{
    int error = 0;
    const char *msg = mh_flash_for(s, field, &error);
    if (msg == NULL)
        return;
    mh_html(o, "<div class=\"%s\" role=\"%s\" data-field=\"%s\">", error ? "error" : "notice",
            error ? "alert" : "status", field);
    mh_html_output(o, msg);
    mh_str_adds(o, "</div>\n");
}

void mh_html_output(mh_str *o, const char *text)
{
    const char *line = text, *nl;
    while (line != NULL && *line != '\0') {
        size_t n;
        nl = strchr(line, '\n');
        n = nl != NULL ? (size_t)(nl - line) : strlen(line);
        /* The command's usage line is for a terminal; the page has its form. */
        if (strncmp(line, "usage: ", 7) != 0 && n > 0) {
            char *copy = strndup(line, n);
            const char *shown = copy;
            const char *colon = strstr(shown, ": ");
            /* "mock-host: " and "mock-host CMD: " name the program, not the problem. */
            if (strncmp(shown, "mock-host", 9) == 0 && colon != NULL && colon - shown < 32 &&
                memchr(shown, '"', (size_t)(colon - shown)) == NULL)
                shown = colon + 2;
            mh_str_adds(o, "<p>");
            mh_html_sentence(o, shown, NULL);
            mh_str_adds(o, "</p>");
            free(copy);
        }
        line = nl != NULL ? nl + 1 : NULL;
    }
}

/* The command line's instructions to run a command, and what the console
 * says instead: from `from` through `until` (the end of the line when
 * NULL) is replaced by `to`.  The one table of them (see console_html.h). */
static const struct {
    const char *from, *until, *to;
} console_phrases[] = {
    {"Next: mock-host connect ", NULL, "Next: connect it below."},
    {"Next: mock-host fields ", NULL,
     "Next: choose the fields to show on Field Mapping, then sync on the Sync page."},
    {"ITxM: map roles and locations with mock-host roles ", NULL,
     "ITxM: map roles and locations on Role Mapping and Location Mapping."},
    {"Then, after the first sync, map roles and locations: mock-host portal-roles ", NULL,
     "Then, after the first sync, map roles and locations on Role Mapping and Location Mapping."},
    {"See who: mock-host users --app ", "--held",
     "See who on the Users page, with the status filter \"held\""},
    {"If this is expected, run: mock-host sync ", "--confirm-deactivations",
     "If this is expected, confirm them with Confirm deactivations on the Sync page"},
    {"; map them with: mock-host roles ", "=PORTALROLE", "; map them on Role Mapping"},
    {"; map them with: mock-host locations ", "=LOCATION", "; map them on Location Mapping"},
    {"run 'mock-host connect ", "'", "connect it on its Setup page"},
};

/* The credential of h whose flag is the "--..." at s (its length into
 * *len), or NULL. */
static const sis_decl *flag_decl(const sis_plugin_header *h, const char *s, size_t *len)
{
    char flag[96];
    size_t i, n = 2;
    while (islower((unsigned char)s[n]) || isdigit((unsigned char)s[n]) || s[n] == '-')
        n++;
    for (i = 0; h != NULL && i < h->n_decls; i++) {
        const sis_decl *d = h->decls[i];
        if (d->scope != SIS_DECL_CREDENTIAL)
            continue;
        mh_decl_flag(d, flag, sizeof flag);
        if (strlen(flag) == n && strncmp(flag, s, n) == 0) {
            *len = n;
            return d;
        }
    }
    return NULL;
}

/* "--auth bearer" as "bearer signing" (a choice: the value, then the
 * label); "--token-url" as "OAuth 2.0 token URL". 0 when s is no flag of h. */
static size_t flag_words(mh_str *out, const sis_plugin_header *h, const char *s)
{
    size_t n = 0, i, k;
    const sis_decl *d = flag_decl(h, s, &n);
    if (d == NULL)
        return 0;
    if (d->type == SIS_VALUE_CHOICE && s[n] == ' ') {
        for (i = 0; i < d->n_choices; i++) {
            size_t c = strlen(d->choices[i]);
            if (strncmp(s + n + 1, d->choices[i], c) == 0 &&
                !isalnum((unsigned char)s[n + 1 + c]) && s[n + 1 + c] != '-') {
                mh_str_adds(out, d->choices[i]);
                mh_str_adds(out, " ");
                for (k = 0; d->label[k] != '\0'; k++) {
                    char ch = (char)tolower((unsigned char)d->label[k]);
                    mh_str_add(out, &ch, 1);
                }
                return n + 1 + c;
            }
        }
    }
    mh_str_adds(out, d->label);
    return n;
}

void mh_console_words(mh_str *out, const char *text, const sis_plugin_header *h)
{
    const char *s = text;
    mh_str_adds(out, "");
    while (s != NULL && *s != '\0') {
        size_t i, used = 0;
        for (i = 0; i < sizeof console_phrases / sizeof console_phrases[0] && used == 0; i++) {
            const char *from = console_phrases[i].from, *until = console_phrases[i].until;
            const char *end;
            if (strncmp(s, from, strlen(from)) != 0)
                continue;
            end = until != NULL ? strstr(s + strlen(from), until) : NULL;
            if (end != NULL && memchr(s, '\n', (size_t)(end - s)) == NULL)
                end += strlen(until);
            else
                end = s + strcspn(s, "\n");
            mh_str_adds(out, console_phrases[i].to);
            used = (size_t)(end - s);
        }
        if (used == 0 && s[0] == '-' && s[1] == '-' && (s == text || s[-1] == ' ' || s[-1] == '('))
            used = flag_words(out, h, s);
        if (used == 0) {
            mh_str_add(out, s, 1);
            used = 1;
        }
        s += used;
    }
}

void mh_html_sentence(mh_str *o, const char *text, const sis_plugin_header *h)
{
    mh_str plain = {0};
    mh_console_words(&plain, text, h);
    mh_html_text(o, plain.data);
    mh_str_free(&plain);
}
