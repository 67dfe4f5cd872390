/*
 * gen_users.c - writes a OneRoster 1.1 CSV export of N users (default
 * 1,000,000) into a folder, for benchmarks: manifest.csv, orgs.csv (one
 * district, 50 schools) and users.csv with two metadata columns, quoted
 * fields holding commas, and CRLF line ends.  Deterministic.
 *
 *   gen-oneroster-users DIR [N]
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    char path[4096];
    unsigned long n = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000ul, i;
    FILE *f;
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR [N]\n", argv[0]);
        return 2;
    }
    snprintf(path, sizeof path, "%s/manifest.csv", argv[1]);
    if ((f = fopen(path, "w")) == NULL)
        return perror(path), 1;
    fputs("propertyName,value\r\nmanifest.version,1.0\r\noneroster.version,1.1\r\n"
          "file.orgs,bulk\r\nfile.users,bulk\r\nsource.systemName,Bench District\r\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/orgs.csv", argv[1]);
    if ((f = fopen(path, "w")) == NULL)
        return perror(path), 1;
    fputs("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\r\n"
          "district-1,,,Bench District,district,D1,\r\n", f);
    for (i = 1; i <= 50; i++)
        fprintf(f, "school-%lu,,,\"School %lu, Main Campus\",school,S%lu,district-1\r\n", i, i, i);
    fclose(f);
    snprintf(path, sizeof path, "%s/users.csv", argv[1]);
    if ((f = fopen(path, "w")) == NULL)
        return perror(path), 1;
    fputs("sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
          "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,"
          "password,metadata.cohort,metadata.lunch_id\r\n", f);
    for (i = 1; i <= n; i++) {
        int teacher = i % 20 == 0;
        fprintf(f, "u%lu,,,true,\"school-%lu\",%s,user%lu,\"{SIS:%lu}\",Given%lu,\"Family, %lu\","
                ",ID%lu,user%lu@example.org,,,,%s,secret%lu,%s,%lu\r\n",
                i, i % 50 + 1, teacher ? "teacher" : "student", i, i, i, i, i, i,
                teacher ? "" : "\"09,10\"", i, teacher ? "" : "2027", 100000 + i);
    }
    return fclose(f) == 0 ? 0 : 1;
}
