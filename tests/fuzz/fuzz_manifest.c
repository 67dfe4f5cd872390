/* Fuzz: a plugin.manifest, read and vetted as the host does before dlopen. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../mock-host/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/fuzz-manifest-XXXXXX", err[1024];
    int fd = mkstemp(path);
    mh_manifest *m = NULL;
    if (fd < 0)
        return 0;
    if (write(fd, data, size) == (ssize_t)size) {
        if (mh_manifest_load(&m, path, err, sizeof err) == 0)
            mh_manifest_free(m);
    }
    close(fd);
    unlink(path);
    return 0;
}
