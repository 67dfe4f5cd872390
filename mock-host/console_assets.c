/*
 * console_assets.c - the console's only files besides its pages, compiled
 * in: no CDN, no build step.  progress.js is the console's only script: it
 * polls a sync's status as JSON and updates the page's text (textContent,
 * never markup); without it the Sync page refreshes itself while a job runs.
 */
#include <string.h>

#include "console.h"

static const char css[] =
    "body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2733;background:#f4f6f9}\n"
    "header{background:#123a63;color:#fff;padding:.6em 1.2em;display:flex;gap:2em;align-items:center}\n"
    "header a{color:#fff;margin-right:1.4em;text-decoration:none}\n"
    "header a:hover{text-decoration:underline}.brand{font-weight:700}\n"
    "nav.tabs{background:#dde6f0;padding:.5em 1.2em}nav.tabs a{margin-right:1.2em}\n"
    "nav.tabs .app{font-weight:700;margin-right:1.6em}\n"
    "main{padding:1em 1.6em;max-width:1200px}\n"
    "h1{font-size:1.5em;margin:.3em 0 .6em}h2{font-size:1.15em;margin:1.2em 0 .4em}\n"
    ".cards{display:flex;flex-wrap:wrap;gap:1em}\n"
    ".card{background:#fff;border:1px solid #c9d3de;border-radius:6px;padding:.8em 1em;"
    "width:340px}\n.card h3{margin:.1em 0 .3em}\n"
    ".state{display:inline-block;padding:.05em .5em;border-radius:4px;font-size:.9em}\n"
    ".state.connected{background:#d8f1dd}.state.attention{background:#fde2c8}\n"
    ".state.precreated{background:#e4e8ee}.state.held{background:#f9d0d0}\n"
    ".error{color:#8a1010;background:#fde8e8;border-left:4px solid #c22;padding:.3em .6em;"
    "margin:.3em 0}\n"
    ".notice{background:#e8f4ea;border-left:4px solid #2a8a3a;padding:.3em .6em;margin:.3em 0}\n"
    ".error p,.notice p{margin:.15em 0}\n"
    /* A long word (a 300-character URL in an error) wraps inside its note
     * instead of widening the page. */
    ".error,.notice,.output{overflow-wrap:anywhere}\n"
    "form.inline{display:inline}\n"
    "fieldset{background:#fff;border:1px solid #c9d3de;border-radius:6px;margin:.8em 0;"
    "padding:.6em 1em}\n"
    "label{display:block;margin:.5em 0 .1em;font-weight:600}\n"
    "input[type=text],input[type=url],input[type=password],input[type=number],select{"
    "padding:.3em;min-width:22em}\n"
    ".help{color:#56606b;font-size:.9em}\n"
    "button{padding:.35em .9em;margin:.4em .3em .2em 0;cursor:pointer}\n"
    "button.primary{background:#1d5fa3;color:#fff;border:1px solid #164a80;border-radius:4px}\n"
    "table{border-collapse:collapse;background:#fff;margin:.4em 0}\n"
    "th,td{border:1px solid #d5dce4;padding:.25em .5em;text-align:left;vertical-align:top}\n"
    "th{background:#eef2f6}\n"
    "td.fields{font-size:.88em}\n"
    "td.counts{max-width:22em}\n"
    "pre.output{background:#fff;border:1px solid #c9d3de;padding:.5em;white-space:pre-wrap}\n"
    "progress{width:28em}\n";

static const char progress_js[] =
    "'use strict';\n"
    "(function () {\n"
    "  var box = document.getElementById('job');\n"
    "  if (!box || box.getAttribute('data-running') !== '1') return;\n"
    "  var url = box.getAttribute('data-status');\n"
    "  var state = document.getElementById('job-state');\n"
    "  var line = document.getElementById('job-line');\n"
    "  var bar = document.getElementById('job-bar');\n"
    "  function poll() {\n"
    "    fetch(url, {credentials: 'same-origin', cache: 'no-store'})\n"
    "      .then(function (r) { return r.json(); })\n"
    "      .then(function (s) {\n"
    "        if (line) line.textContent = s.last_line || '';\n"
    "        if (bar && s.percent >= 0) bar.value = s.percent;\n"
    "        if (s.running) { setTimeout(poll, 700); return; }\n"
    "        if (state) state.textContent = 'Finished.';\n"
    "        window.location.reload();\n"
    "      })\n"
    "      .catch(function () { setTimeout(poll, 2000); });\n"
    "  }\n"
    "  setTimeout(poll, 300);\n"
    "})();\n";

typedef struct asset {
    const char *path, *type, *body;
    size_t len;
} asset;

static const asset assets[] = {
    {"/static/console.css", "text/css; charset=utf-8", css, sizeof css - 1},
    {"/static/progress.js", "text/javascript; charset=utf-8", progress_js, sizeof progress_js - 1},
};

int mh_asset_find(const char *path, const char **body, size_t *len, const char **type)
{
    size_t i;
    for (i = 0; i < sizeof assets / sizeof assets[0]; i++) {
        if (strcmp(assets[i].path, path) == 0) {
            *body = assets[i].body;
            *len = assets[i].len;
            *type = assets[i].type;
            return 0;
        }
    }
    return -1;
}
