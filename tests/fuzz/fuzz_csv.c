/* Fuzz: bytes as a users.csv, through the RFC 4180 reader and the OneRoster
 * users validation, bulk and delta. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../../oneroster-csv/csv_reader.h"
#include "../../oneroster-csv/roster.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    orc_err err;
    orc_csv_row row;
    orc_csv *r = NULL;
    orc_users *u = NULL;
    orc_user user;
    FILE *f;
    int mode;

    if (size == 0)
        return 0;
    f = fmemopen((void *)data, size, "rb");
    if (f != NULL && orc_csv_open(&r, f, "fuzz.csv", &err) == ORC_OK) {
        while (orc_csv_next(r, &row, &err) == 1)
            ;
        orc_csv_close(r);
    }
    if (f != NULL)
        fclose(f);
    for (mode = ORC_FILE_BULK; mode <= ORC_FILE_DELTA; mode++) {
        f = fmemopen((void *)data, size, "rb");
        if (f == NULL)
            return 0;
        if (orc_users_open(&u, f, "users.csv", (orc_file_mode)mode, &err) == ORC_OK) {
            while (orc_users_next(u, &user, &err) > 0)   /* bad rows too */
                ;
            orc_users_close(u);
        }
        fclose(f);
    }
    return 0;
}
