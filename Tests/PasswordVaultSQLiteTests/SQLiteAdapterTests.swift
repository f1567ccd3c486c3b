import PasswordVault
import PasswordVaultSQLite
import Testing

@Test func adapterLinksTheEngine() {
    #expect(PasswordVaultSQLite.engineVersion == PasswordVaultInfo.version)
}
