/* check_oauth1.c - the signature vectors of the shared protocol doc, plus
 * the characters that break naive signers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../plugin/oauth1.h"
#include "../plugin/url.h"
#include "testutil.h"

#define VEC_B_URL "https://example-ca-v2.oneroster.com/ims/oneroster/v1p1/users?limit=100&offset=0" \
                  "&filter=dateLastModified>'2024-01-01T00:00:00Z'"

START_TEST(rfc5849_vector_a)
{
    cl_oauth1 p = {"dpf43f3p2l4k3l03", "kd94hf93k423kf44", "nnch734d00sl2jdk", "pfkkdhi9sl3r4s00",
                   CL_SIG_HMAC_SHA1, "137131202", "chapoH", 0};
    char *base = NULL, *hdr = NULL, *sig = NULL;
    sis_error err = SIS_ERROR_LOCAL;
    const char *url = "http://photos.example.net/photos?file=vacation.jpg&size=original";

    ck_assert_int_eq(cl_oauth1_base_string(&base, "GET", url, &p, &err), SIS_OK);
    ck_assert_str_eq(base, "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26"
                           "oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26"
                           "oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202%26"
                           "oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal");
    ck_assert_int_eq(cl_oauth1_authorization(&hdr, &sig, "GET", url, &p, &err), SIS_OK);
    ck_assert_str_eq(sig, "MdpQcU8iPSUjWoN/UDMsK2sui9I=");
    ck_assert_ptr_nonnull(strstr(hdr, "oauth_signature=\"MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D\""));
    ck_assert_ptr_nonnull(strstr(hdr, "oauth_token=\"nnch734d00sl2jdk\""));
    free(base);
    free(hdr);
    free(sig);
}
END_TEST

START_TEST(classlink_vector_b_and_c)
{
    cl_oauth1 p = {"my_client_id", "my_client_secret", NULL, NULL, CL_SIG_HMAC_SHA256,
                   "1700000000", "0123456789", 0};
    char *base = NULL, *hdr = NULL, *sig = NULL;
    sis_error err = SIS_ERROR_LOCAL;

    ck_assert_int_eq(cl_oauth1_base_string(&base, "GET", VEC_B_URL, &p, &err), SIS_OK);
    ck_assert_str_eq(base, "GET&https%3A%2F%2Fexample-ca-v2.oneroster.com%2Fims%2Foneroster%2Fv1p1%2Fusers&"
                           "filter%3DdateLastModified%253E%25272024-01-01T00%253A00%253A00Z%2527%26"
                           "limit%3D100%26oauth_consumer_key%3Dmy_client_id%26oauth_nonce%3D0123456789%26"
                           "oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1700000000%26offset%3D0");
    ck_assert_int_eq(cl_oauth1_authorization(&hdr, &sig, "GET", VEC_B_URL, &p, &err), SIS_OK);
    ck_assert_str_eq(sig, "zv/AYrzaIY8zE6we8kmYxkCxI+sbf2KCRJn3oXf6Emo=");
    ck_assert_ptr_null(strstr(hdr, "oauth_version"));
    ck_assert_ptr_nonnull(strstr(hdr, "oauth_signature_method=\"HMAC-SHA256\""));
    free(hdr);
    free(sig);
    free(base);

    p.include_version = 1;
    ck_assert_int_eq(cl_oauth1_authorization(&hdr, &sig, "GET", VEC_B_URL, &p, &err), SIS_OK);
    ck_assert_str_eq(sig, "XX/+/cYYsvmFKuN/P97qjYr8NXYFG5eFrjBdmPgSApg=");
    ck_assert_ptr_nonnull(strstr(hdr, "oauth_version=\"1.0\""));
    free(hdr);
    free(sig);
}
END_TEST

START_TEST(encoded_query_is_signed_as_decoded_values)
{
    /* The same filter sent raw or percent-encoded signs identically. */
    cl_oauth1 p = {"k", "s", NULL, NULL, CL_SIG_HMAC_SHA256, "1", "n", 0};
    char *a = NULL, *b = NULL;
    sis_error err = SIS_ERROR_LOCAL;
    ck_assert_int_eq(cl_oauth1_base_string(&a, "GET", VEC_B_URL, &p, &err), SIS_OK);
    ck_assert_int_eq(cl_oauth1_base_string(&b, "GET",
        "https://EXAMPLE-ca-v2.oneroster.com:443/ims/oneroster/v1p1/users?limit=100&offset=0"
        "&filter=dateLastModified%3E%272024-01-01T00%3A00%3A00Z%27", &p, &err), SIS_OK);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
}
END_TEST

START_TEST(hostile_characters_in_filters_and_secrets)
{
    /* ' = & space / + and non-ASCII, in a value and in the secret; the
     * signature is cross-checked with the openssl command line. */
    const char *secret = "p&ss=w/rd+ é'";
    cl_oauth1 p = {"id with space", secret, NULL, NULL, CL_SIG_HMAC_SHA256, "1700000000", "abc", 0};
    char *enc = cl_url_encode("givenName='Zoë & Ann/B+C=D'"), *url, *base = NULL, *hdr, *sig;
    sis_error err = SIS_ERROR_LOCAL;
    tu_result r;

    ck_assert_str_eq(enc, "givenName%3D%27Zo%C3%AB%20%26%20Ann%2FB%2BC%3DD%27");
    ck_assert_int_ne(asprintf(&url, "https://h.example/x?filter=%s&a=1", enc), -1);
    ck_assert_int_eq(cl_oauth1_base_string(&base, "GET", url, &p, &err), SIS_OK);
    ck_assert_ptr_nonnull(strstr(base, "filter%3DgivenName%253D%2527Zo%25C3%25AB%2520%2526%2520"
                                       "Ann%252FB%252BC%253DD%2527"));
    ck_assert_ptr_nonnull(strstr(base, "oauth_consumer_key%3Did%2520with%2520space"));
    ck_assert_int_eq(cl_oauth1_authorization(&hdr, &sig, "GET", url, &p, &err), SIS_OK);
    /* key = enc(secret) + "&" */
    r = tu_run("printf '%%s' '%s' | openssl dgst -sha256 -hmac 'p%%26ss%%3Dw%%2Frd%%2B%%20%%C3%%A9%%27&' "
               "-binary | base64", base);
    ck_assert_int_eq(r.status, 0);
    r.out[strcspn(r.out, "\n")] = '\0';
    ck_assert_str_eq(sig, r.out);
    tu_result_free(&r);
    free(enc);
    free(url);
    free(base);
    free(hdr);
    free(sig);
}
END_TEST

START_TEST(nonces_are_fresh)
{
    cl_oauth1 p = {"k", "s", NULL, NULL, CL_SIG_HMAC_SHA256, NULL, NULL, 0};
    char *h1, *h2;
    sis_error err = SIS_ERROR_LOCAL;
    ck_assert_int_eq(cl_oauth1_authorization(&h1, NULL, "GET", "https://a.example/", &p, &err), SIS_OK);
    ck_assert_int_eq(cl_oauth1_authorization(&h2, NULL, "GET", "https://a.example/", &p, &err), SIS_OK);
    ck_assert_str_ne(strstr(h1, "oauth_nonce"), strstr(h2, "oauth_nonce"));
    ck_assert_uint_eq(strcspn(strstr(h1, "oauth_nonce=\"") + 13, "\""), 32);
    free(h1);
    free(h2);
}
END_TEST

START_TEST(urls_and_transport)
{
    cl_url u;
    sis_error err = SIS_ERROR_LOCAL;
    ck_assert_int_eq(cl_url_parse(&u, "HTTPS://Host.Example:8443/a/b?x=1", &err), SIS_OK);
    ck_assert_str_eq(u.host, "host.example");
    ck_assert_int_eq(u.port, 8443);
    ck_assert_str_eq(u.path, "/a/b");
    ck_assert_str_eq(u.query, "x=1");
    ck_assert_int_eq(cl_url_check_transport("http://127.0.0.1:9/x", &err), SIS_OK);
    ck_assert_int_eq(cl_url_check_transport("http://[::1]:9/x", &err), SIS_OK);
    ck_assert_int_eq(cl_url_check_transport("http://district.example/x", &err), SIS_ERR_CONFIG);
    ck_assert_ptr_nonnull(strstr(err.message, "refusing plain http to district.example"));
    ck_assert_int_eq(cl_url_check_transport("ftp://x", &err), SIS_ERR_CONFIG);
    ck_assert_int_eq(cl_url_check_transport("http://localhost:9/x", &err), SIS_OK);
    ck_assert_int_eq(cl_url_check_transport("http://127.1.2.3:9/x", &err), SIS_OK);
    ck_assert_int_eq(cl_url_check_transport("https://district.example/x", &err), SIS_OK);
    ck_assert_int_eq(cl_url_parse(&u, "https://x:99999/", &err), SIS_ERR_CONFIG);
}
END_TEST

/* What libcurl would connect to decides, not what the URL starts with. */
START_TEST(plain_http_to_a_lookalike_or_behind_user_info_is_refused)
{
    static const char *const refused[] = {
        "http://127.0.0.1@evil.org/x", "http://127.0.0.1:80@evil.org/x",
        "http://localhost@evil.org", "http://127.example.org/x", "http://127.0.0.1.evil.org/",
        "http://localhost.evil.org/x", "http://[::1]@evil.org/"};
    sis_error err = SIS_ERROR_LOCAL;
    size_t i;
    for (i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        ck_assert_int_eq(cl_url_check_transport(refused[i], &err), SIS_ERR_CONFIG);
        ck_assert_msg(strstr(err.message, "use an https:// URL") != NULL, "%s: %s", refused[i],
                      err.message);
    }
    /* Credentials belong in the secret fields, never in a URL that gets logged. */
    ck_assert_int_eq(cl_url_check_transport("https://admin:pw@district.example/x", &err),
                     SIS_ERR_CONFIG);
    ck_assert_msg(strstr(err.message, "user name or password") != NULL, "%s", err.message);
    ck_assert_ptr_null(strstr(err.message, "pw"));
}
END_TEST

Suite *suite_oauth1(void)
{
    Suite *s = suite_create("oauth1");
    TCase *tc = tcase_create("oauth1");
    tcase_add_test(tc, rfc5849_vector_a);
    tcase_add_test(tc, classlink_vector_b_and_c);
    tcase_add_test(tc, encoded_query_is_signed_as_decoded_values);
    tcase_add_test(tc, hostile_characters_in_filters_and_secrets);
    tcase_add_test(tc, nonces_are_fresh);
    tcase_add_test(tc, urls_and_transport);
    tcase_add_test(tc, plain_http_to_a_lookalike_or_behind_user_info_is_refused);
    suite_add_tcase(s, tc);
    return s;
}
