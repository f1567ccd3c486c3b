// PasswordVaultInterchange only: AES-256-CBC (EVP), AES-256-ECB (the AES-KDF's rounds) and the
// SHA-256 / SHA-512 hash states HMAC is composed from.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/aes.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
