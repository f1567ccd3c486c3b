extension WireResponse {
    /// The answer the wire gives for `error` (docs/contract.md §3): 400 with the catalogue's
    /// `exception`, or 500 "Unexpected error." — for a host that fails before the handler runs
    /// (the vault does not open) and still answers in the API's shape.
    public static func failure(_ error: VaultError) -> WireResponse { MySafeEnvelope.failure(error) }
}
