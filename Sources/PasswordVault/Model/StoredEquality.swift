/// Equality as a storage keeps values: Unicode scalar by scalar. Swift's `==` on strings is
/// canonical equivalence, under which "café" in NFC and in NFD are equal; the vault stores text
/// exactly as sent, so a change between the two is a change (a new version, docs/contract.md §11).
protocol StoredEquatable {
    /// Whether `self` and `other` are stored as the same bytes.
    func isStored(as other: Self) -> Bool
}

extension String: StoredEquatable {
    func isStored(as other: String) -> Bool { utf8.elementsEqual(other.utf8) }
}

extension Array: StoredEquatable where Element: StoredEquatable {
    func isStored(as other: [Element]) -> Bool {
        count == other.count && zip(self, other).allSatisfy { $0.isStored(as: $1) }
    }
}

extension UserShare: StoredEquatable {
    func isStored(as other: UserShare) -> Bool {
        username.isStored(as: other.username) && canEdit == other.canEdit && canReveal == other.canReveal
    }
}

extension GroupShare: StoredEquatable {
    func isStored(as other: GroupShare) -> Bool {
        name.isStored(as: other.name) && canEdit == other.canEdit && canReveal == other.canReveal
    }
}

extension Bool: StoredEquatable {
    func isStored(as other: Bool) -> Bool { self == other }
}

extension Int: StoredEquatable {
    func isStored(as other: Int) -> Bool { self == other }
}
