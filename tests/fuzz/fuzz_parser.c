/* Fuzz: a OneRoster response body, cut in two at a data-chosen point, then
 * every record mapped as the connector maps it. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../plugin/collection_parser.h"
#include "../../plugin/record_map.h"

static int on_item(void *ctx, json_object *item)
{
    const char *why;
    cl_map_user(ctx, item, &why);
    return 0;
}

static int on_invalid(void *ctx, const char *reason)
{
    (void)ctx;
    return reason == NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cl_record_scratch s;
    cl_collection_handlers h = {&s, on_item, on_invalid};
    cl_collection_parser *p;
    size_t cut = size > 0 ? data[0] % (size + 1) : 0;

    cl_record_scratch_init(&s);
    p = cl_collection_parser_new("users", 4096, &h);
    if (cl_collection_parser_feed(p, (const char *)data, cut) == 0 &&
        cl_collection_parser_feed(p, (const char *)data + cut, size - cut) == 0)
        cl_collection_parser_finish(p);
    cl_collection_parser_free(p);
    cl_record_scratch_free(&s);
    return 0;
}
