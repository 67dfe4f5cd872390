/*
 * console_html.c - the escaping HTML writer and the page frame.
 *
 * mh_html() escapes every %s argument, so a page writer never has to
 * remember to: the only unescaped text is the format string, which is a
 * literal of this program.  Escaping covers text and quoted attribute
 * values (& < > " ').
 */
#include "console_html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
            mh_html(o, "<p>%s</p>", shown);
            free(copy);
        }
        line = nl != NULL ? nl + 1 : NULL;
    }
}
