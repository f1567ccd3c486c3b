import PasswordVault

/// The conformance suite every ``VaultStorage`` adapter runs.
public enum StorageConformance {}
