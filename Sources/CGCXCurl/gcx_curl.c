#include "gcx_curl.h"
#include "gcx_system.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// libcurl is loaded on first use, not linked: with its TLS, SSH, LDAP and Kerberos libraries it
// costs every gcx command milliseconds of start-up, and most commands never make a request.
#define GCX_CURL_FUNCTIONS(X) \
    X(curl_global_init) X(curl_easy_init) X(curl_easy_setopt) X(curl_easy_perform) X(curl_easy_getinfo) \
    X(curl_easy_strerror) X(curl_easy_cleanup) X(curl_slist_append) X(curl_slist_free_all)

// curl.h may wrap these in type-checking macros; the pointers take the functions' own names.
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define GCX_CURL_POINTER(name) static __typeof__(&name) gcx_##name;
GCX_CURL_FUNCTIONS(GCX_CURL_POINTER)

static pthread_once_t gcx_curl_once = PTHREAD_ONCE_INIT;
static int gcx_curl_loaded;
static char gcx_curl_load_error[CURL_ERROR_SIZE];

static void gcx_curl_load(void) {
#define GCX_CURL_NAME(name) #name,
#define GCX_CURL_SLOT(name) (void **)&gcx_##name,
    static const char *const names[] = {GCX_CURL_FUNCTIONS(GCX_CURL_NAME)};
    void **const slots[] = {GCX_CURL_FUNCTIONS(GCX_CURL_SLOT)};
    if (!gcx_open_library("libcurl.so.4", "HTTP needs libcurl", names, slots, sizeof names / sizeof names[0],
                          gcx_curl_load_error, sizeof gcx_curl_load_error)) return;
    if (gcx_curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
        snprintf(gcx_curl_load_error, sizeof gcx_curl_load_error, "curl_global_init failed");
        return;
    }
    gcx_curl_loaded = 1;
}

// Below, every libcurl call goes through the pointers loaded above.
#define curl_easy_init gcx_curl_easy_init
#define curl_easy_setopt gcx_curl_easy_setopt
#define curl_easy_perform gcx_curl_easy_perform
#define curl_easy_getinfo gcx_curl_easy_getinfo
#define curl_easy_strerror gcx_curl_easy_strerror
#define curl_easy_cleanup gcx_curl_easy_cleanup
#define curl_slist_append gcx_curl_slist_append
#define curl_slist_free_all gcx_curl_slist_free_all

// A server may not make us hold more than this: an image answer is a few MB of base64.
#define GCX_CURL_MAX_BODY ((size_t)256 << 20)
#define GCX_CURL_MAX_HEADERS ((size_t)1 << 20)

typedef struct {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t limit;
    int failed;     // out of memory
    int too_large;  // the server sent more than `limit`
} gcx_buffer;

static int gcx_buffer_append(gcx_buffer *b, const void *src, size_t n) {
    if (b->failed || b->too_large) return 0;
    if (n > b->limit - b->len) { b->too_large = 1; return 0; }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1) cap *= 2;
        uint8_t *grown = realloc(b->data, cap);
        if (!grown) { b->failed = 1; return 0; }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, src, n);
    b->len += n;
    b->data[b->len] = 0;
    return 1;
}

static size_t gcx_write_cb(char *ptr, size_t size, size_t nmemb, void *userdata) {
    size_t n = size * nmemb;
    return gcx_buffer_append((gcx_buffer *)userdata, ptr, n) ? n : 0;
}

struct gcx_curl_cancel {
    atomic_int requested;
};

gcx_curl_cancel *gcx_curl_cancel_new(void) {
    gcx_curl_cancel *cancel = malloc(sizeof *cancel);
    if (cancel) atomic_init(&cancel->requested, 0);
    return cancel;
}

void gcx_curl_cancel_request(gcx_curl_cancel *cancel) { atomic_store(&cancel->requested, 1); }

void gcx_curl_cancel_free(gcx_curl_cancel *cancel) { free(cancel); }

static int gcx_is_cancelled(const gcx_curl_cancel *cancel) {
    return cancel && atomic_load((atomic_int *)&cancel->requested);
}

// A non-zero return aborts the transfer with CURLE_ABORTED_BY_CALLBACK.
static int gcx_progress_cb(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
    (void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;
    return gcx_is_cancelled((const gcx_curl_cancel *)userdata);
}

static gcx_curl_outcome gcx_classify(CURLcode code) {
    switch (code) {
    case CURLE_OK:
        return GCX_CURL_OK;
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
        return GCX_CURL_CONNECT_FAILED;
    case CURLE_OPERATION_TIMEDOUT:
        return GCX_CURL_TIMED_OUT;
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
        return GCX_CURL_CONNECTION_LOST;
    case CURLE_ABORTED_BY_CALLBACK:
        return GCX_CURL_CANCELLED;
    default:
        return GCX_CURL_OTHER;
    }
}

void gcx_curl_perform(const char *method,
                      const char *url,
                      const char *const *headers,
                      size_t header_count,
                      const uint8_t *body,
                      size_t body_len,
                      long connect_timeout_ms,
                      long total_timeout_ms,
                      const gcx_curl_network *network,
                      const gcx_curl_cancel *cancel,
                      gcx_curl_response *response) {
    memset(response, 0, sizeof(*response));
    if (gcx_is_cancelled(cancel)) {
        response->outcome = GCX_CURL_CANCELLED;
        response->curl_code = CURLE_ABORTED_BY_CALLBACK;
        strncpy(response->error, "cancelled before it started", sizeof(response->error) - 1);
        return;
    }
    pthread_once(&gcx_curl_once, gcx_curl_load);
    if (!gcx_curl_loaded) {
        response->outcome = GCX_CURL_OTHER;
        response->curl_code = CURLE_FAILED_INIT;
        strncpy(response->error, gcx_curl_load_error, sizeof(response->error) - 1);
        return;
    }

    CURL *curl = curl_easy_init();
    if (!curl) {
        response->outcome = GCX_CURL_OTHER;
        response->curl_code = CURLE_FAILED_INIT;
        strncpy(response->error, "curl_easy_init failed", sizeof(response->error) - 1);
        return;
    }

    gcx_buffer body_buf = {0};
    gcx_buffer header_buf = {0};
    body_buf.limit = GCX_CURL_MAX_BODY;
    header_buf.limit = GCX_CURL_MAX_HEADERS;
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < header_count; i++) {
        list = curl_slist_append(list, headers[i]);
    }
    // No "Expect: 100-continue" round trip for large uploads.
    list = curl_slist_append(list, "Expect:");

    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); // required for multi-threaded use
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, total_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, ""); // any encoding curl can decode
    // Loopback servers (a local vLLM, the test servers) never go through a proxy; NO_PROXY adds to that.
    char no_proxy[1024] = "localhost,127.0.0.1,::1";
    if (network && network->no_proxy && network->no_proxy[0]) {
        strncat(no_proxy, ",", sizeof(no_proxy) - strlen(no_proxy) - 1);
        strncat(no_proxy, network->no_proxy, sizeof(no_proxy) - strlen(no_proxy) - 1);
    }
    curl_easy_setopt(curl, CURLOPT_NOPROXY, no_proxy);
    if (network && network->proxy) curl_easy_setopt(curl, CURLOPT_PROXY, network->proxy);
    if (network && network->ca_file) curl_easy_setopt(curl, CURLOPT_CAINFO, network->ca_file);
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 */
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, response->error);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, gcx_write_cb);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body_buf);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, gcx_write_cb);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &header_buf);
    if (cancel) {
        curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, gcx_progress_cb);
        curl_easy_setopt(curl, CURLOPT_XFERINFODATA, (void *)cancel);
        curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    }

    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else {
        if (strcmp(method, "POST") != 0) {
            curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
        }
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body ? (const char *)body : "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? body_len : 0));
    }

    CURLcode code = curl_easy_perform(curl);
    response->curl_code = (int)code;
    response->outcome = gcx_classify(code);
    if (body_buf.failed || header_buf.failed) {
        response->outcome = GCX_CURL_OTHER;
        strncpy(response->error, "out of memory while receiving", sizeof(response->error) - 1);
    } else if (body_buf.too_large || header_buf.too_large) {
        response->outcome = GCX_CURL_OTHER;
        snprintf(response->error, sizeof(response->error), "the response is larger than %zu MiB; refused",
                 (body_buf.too_large ? GCX_CURL_MAX_BODY : GCX_CURL_MAX_HEADERS) >> 20);
    }
    if (code != CURLE_OK && response->error[0] == 0) {
        strncpy(response->error, curl_easy_strerror(code), sizeof(response->error) - 1);
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response->status);

    response->body = body_buf.data;
    response->body_len = body_buf.len;
    response->headers = (char *)header_buf.data;
    response->headers_len = header_buf.len;

    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
}

void gcx_curl_response_free(gcx_curl_response *response) {
    free(response->body);
    free(response->headers);
    response->body = NULL;
    response->headers = NULL;
    response->body_len = 0;
    response->headers_len = 0;
}
