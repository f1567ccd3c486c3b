// Only the plain SHA-1/SHA-256/SHA-512 hash states are used (HMAC is built on them).
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
