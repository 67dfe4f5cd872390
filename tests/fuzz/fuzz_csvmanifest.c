/* Fuzz: bytes as a OneRoster manifest.csv, then as an orgs.csv. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../../oneroster-csv/csv_manifest.h"
#include "../../oneroster-csv/roster.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    orc_err err;
    orc_manifest m;
    orc_orgs *o = NULL;
    orc_org org;
    FILE *f;

    if (size == 0)
        return 0;
    f = fmemopen((void *)data, size, "rb");
    if (f == NULL)
        return 0;
    (void)orc_manifest_read(&m, f, &err);
    fclose(f);
    f = fmemopen((void *)data, size, "rb");
    if (f == NULL)
        return 0;
    if (orc_orgs_open(&o, f, "orgs.csv", ORC_FILE_BULK, &err) == ORC_OK) {
        while (orc_orgs_next(o, &org, &err) > 0)   /* bad rows too */
            ;
        orc_orgs_close(o);
    }
    fclose(f);
    return 0;
}
