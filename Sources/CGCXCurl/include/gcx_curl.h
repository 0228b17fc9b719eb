#ifndef GCX_CURL_H
#define GCX_CURL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Outcome class of one transfer, so Swift can decide about retries without curl's codes.
typedef enum {
    GCX_CURL_OK = 0,             ///< a complete HTTP response was received (any status)
    GCX_CURL_CONNECT_FAILED = 1, ///< could not resolve or connect
    GCX_CURL_TIMED_OUT = 2,      ///< connect or total timeout expired
    GCX_CURL_CONNECTION_LOST = 3,///< connection dropped, empty reply, send/receive error
    GCX_CURL_OTHER = 4,          ///< anything else (bad URL, TLS setup, out of memory, ...)
    GCX_CURL_CANCELLED = 5       ///< stopped by `gcx_curl_cancel_request`
} gcx_curl_outcome;

typedef struct {
    gcx_curl_outcome outcome;
    int curl_code;          ///< raw CURLcode, for diagnostics
    long status;            ///< HTTP status, 0 when no response
    uint8_t *body;          ///< response body (malloc'd, may be NULL when empty)
    size_t body_len;
    char *headers;          ///< raw response header block(s) (malloc'd, NUL-terminated, may be NULL)
    size_t headers_len;
    char error[256];        ///< curl's error text (never contains request headers)
} gcx_curl_response;

/// Where TLS trust and proxies come from for a transfer; NULL fields keep libcurl's defaults
/// (its CA bundle; the http_proxy / HTTPS_PROXY / ALL_PROXY environment).
typedef struct {
    const char *ca_file;    ///< PEM file of the certificate authorities to trust
    const char *proxy;      ///< proxy URL for every request ("" = none, whatever the environment says)
    const char *no_proxy;   ///< hosts that bypass the proxy, added to the loopback addresses
} gcx_curl_network;

/// A flag that stops a transfer: set from any thread, seen by the transfer's progress callback
/// (libcurl calls it at least about once a second, also while it waits for an answer), which
/// then aborts it.
typedef struct gcx_curl_cancel gcx_curl_cancel;

/// A new flag, not set; NULL when out of memory.
gcx_curl_cancel *gcx_curl_cancel_new(void);
/// Sets the flag. Thread-safe.
void gcx_curl_cancel_request(gcx_curl_cancel *cancel);
/// Frees the flag, once no transfer uses it.
void gcx_curl_cancel_free(gcx_curl_cancel *cancel);

/// Performs one HTTP request synchronously. Thread-safe: each call uses its own easy handle.
/// `headers` are full "Name: value" lines. `body` may be NULL for no body. `cancel` (NULL for
/// none) stops the transfer once set, even before it starts.
/// The caller must release the response with `gcx_curl_response_free`.
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
                      gcx_curl_response *response);

void gcx_curl_response_free(gcx_curl_response *response);

#ifdef __cplusplus
}
#endif

#endif
