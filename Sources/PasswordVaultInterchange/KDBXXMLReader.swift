import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The XML payload of a KDBX file, read with Foundation's `XMLParser` (a SAX reader: the
/// document is never held as a tree), with the depth and entry limits of ``KDBXLimits`` and no
/// DTD: a document type declaration, entity or external reference is refused.
enum KDBXXMLReader {
    struct Parsed {
        var entries: [InterchangeEntry] = []
        var notes: [String] = []
        var headerHash: [UInt8]?
    }

    static func parse(_ xml: [UInt8], stream: InnerStream, limits: KDBXLimits) throws(InterchangeError) -> Parsed {
        // No DTD: markup declarations only start with "<!" + a letter ("<!--" and "<![CDATA[" do
        // not); text holds "<" only escaped, so a raw "<!D" or "<!E" is a declaration. No
        // processing instruction but the XML declaration first (FoundationXML's XMLParser
        // crashes on some, e.g. one without data: found by KDBXReaderFuzz).
        if let refused = refusedMarkup(xml) { throw .damaged(refused) }
        let handler = Handler(stream: stream, limits: limits)
        let parser = XMLParser(data: Data(xml))
        parser.shouldResolveExternalEntities = false
        parser.delegate = handler
        let finished = parser.parse()
        if let failure = handler.failure { throw failure }
        guard finished else { throw .damaged("XML payload") }
        guard handler.sawRoot else { throw .damaged("no Root element") }
        return handler.parsed
    }

    static func refusedMarkup(_ xml: [UInt8]) -> String? {
        var index = 0
        var start = 0
        if xml.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        while index + 2 < xml.count {
            if xml[index] == UInt8(ascii: "<") {
                let second = xml[index + 1]
                let next = xml[index + 2]
                if second == UInt8(ascii: "!"), (next >= 0x41 && next <= 0x5A) || (next >= 0x61 && next <= 0x7A) {
                    return "document type declarations are not allowed"
                }
                if second == UInt8(ascii: "?") {
                    let declaration = index == start && xml[index...].starts(with: Array("<?xml ".utf8))
                    if !declaration { return "processing instructions are not allowed" }
                }
            }
            index += 1
        }
        return nil
    }

    /// An entry being read, with its KDBX-only parts.
    struct EntryDraft {
        var strings: [(key: String, value: String)] = []
        var tags = ""
        var expires = false
        var icon = "0"
        var customIcon = false
        var attachments: [String] = []
        var history: [InterchangeEntry] = []
        var autoTypeAssociations = 0
        /// `Times/LastModificationTime`'s text, when the entry has one.
        var modified: String?
        /// What its older versions held that has no place, by position (from 1, oldest first).
        var versionNotes: [(position: Int, note: String)] = []
    }

    final class Handler: NSObject, XMLParserDelegate {
        var stream: InnerStream
        let limits: KDBXLimits
        var parsed = Parsed()
        var failure: InterchangeError?
        var sawRoot = false
        private var path: [String] = []
        private var text = ""
        private var protected = false
        private var groupNames: [String] = []
        private var groupUUIDs: [String] = []
        private var recycleBin: String?
        private var entries: [EntryDraft] = []
        private var pendingKey = ""
        private var entryCount = 0

        init(stream: InnerStream, limits: KDBXLimits) {
            self.stream = stream
            self.limits = limits
        }

        private func fail(_ parser: XMLParser, _ error: InterchangeError) {
            if failure == nil { failure = error }
            parser.abortParsing()
        }

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            guard failure == nil else { return }
            path.append(name)
            guard path.count <= limits.xmlDepth else { return fail(parser, .overLimit("XML depth")) }
            text = ""
            protected = attributes["Protected"]?.lowercased() == "true"
            switch name {
            case "Root" where path.count == 2: sawRoot = true
            case "Group":
                groupNames.append("")
                groupUUIDs.append("")
            case "Entry":
                entryCount += 1
                guard entryCount <= limits.entries else { return fail(parser, .overLimit("entry count")) }
                entries.append(EntryDraft())
            case "Binary" where parent == "Entry":
                pendingKey = ""
            default: break
            }
        }

        private var parent: String? { path.count >= 2 ? path[path.count - 2] : nil }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard failure == nil else { return }
            text += string
        }

        func parser(
            _ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?
        ) {
            guard failure == nil else { return }
            defer {
                path.removeLast()
                text = ""
            }
            var value = text
            if protected, name == "Value" {
                guard let masked = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines))
                else { return fail(parser, .damaged("protected value")) }
                value = String(decoding: stream.apply(Array(masked)), as: UTF8.self)
            }
            protected = false
            let parent = self.parent
            switch (parent, name) {
            case ("Meta", "HeaderHash"):
                parsed.headerHash = Data(base64Encoded: value).map(Array.init)
            case ("Meta", "RecycleBinUUID"):
                recycleBin = value
            case ("Group", "Name") where !groupNames.isEmpty:
                groupNames[groupNames.count - 1] = value
            case ("Group", "UUID") where !groupUUIDs.isEmpty:
                groupUUIDs[groupUUIDs.count - 1] = value
            case ("String", "Key") where path.dropLast(2).last == "Entry":
                pendingKey = value
            case ("String", "Value") where path.dropLast(2).last == "Entry":
                current { $0.strings.append((pendingKey, value)) }
            case ("Binary", "Key") where path.dropLast(2).last == "Entry":
                current { $0.attachments.append(value) }
            case ("Entry", "Tags"):
                current { $0.tags = value }
            case ("Entry", "IconID"):
                current { $0.icon = value }
            case ("Entry", "CustomIconUUID"):
                current { $0.customIcon = !value.isEmpty }
            case ("Times", "Expires") where path.dropLast(2).last == "Entry":
                current { $0.expires = value.lowercased() == "true" }
            case ("Times", "LastModificationTime") where path.dropLast(2).last == "Entry":
                current { $0.modified = value }
            case ("AutoType", "Association"):
                current { $0.autoTypeAssociations += 1 }
            case (_, "Entry") where !entries.isEmpty:
                finishEntry(inHistory: parent == "History" && entries.count >= 2)
            case (_, "Group") where !groupNames.isEmpty:
                groupNames.removeLast()
                groupUUIDs.removeLast()
            default: break
            }
        }

        /// Changes the innermost entry being read, if any (a hostile document may put an
        /// entry's parts anywhere).
        private func current(_ change: (inout EntryDraft) -> Void) {
            guard !entries.isEmpty else { return }
            change(&entries[entries.count - 1])
        }

        private func finishEntry(inHistory: Bool) {
            let draft = entries.removeLast()
            var entry = Self.entry(from: draft)
            if inHistory {
                // An older version's own remarks go to its entry's report (docs/contract.md §15).
                let position = entries[entries.count - 1].history.count + 1
                entries[entries.count - 1].versionNotes += entry.unmapped.map { (position, $0) }
                entry.unmapped = []
                entries[entries.count - 1].history.append(entry)
                return
            }
            if let recycleBin, !recycleBin.isEmpty, groupUUIDs.contains(recycleBin) {
                parsed.notes.append("entry '\(entry.name)' is in the recycle bin: not imported")
                return
            }
            // The group path below the root group is one tag, e.g. "Work/Bank".
            let groupPath = groupNames.dropFirst().joined(separator: "/")
            if !groupPath.isEmpty, !entry.tags.contains(groupPath) { entry.tags.append(groupPath) }
            entry.history = draft.history
            parsed.entries.append(entry)
        }

        static let unreadableTime = "unreadable LastModificationTime (the import time is used)"

        static func entry(from draft: EntryDraft) -> InterchangeEntry {
            var entry = InterchangeEntry(name: "")
            var totpSeed: String?
            var totpSettings: String?
            for (key, value) in draft.strings {
                switch key {
                case "Title": entry.name = value
                case "UserName": entry.username = value
                case "Password": entry.password = value
                case "URL": entry.url = value
                case "Notes": entry.notes = value
                case "otp": entry.secretKey = value.isEmpty ? nil : value
                case "TOTP Seed": totpSeed = value
                case "TOTP Settings": totpSettings = value
                default: entry.unmapped.append("custom field '\(key)'")
                }
            }
            if entry.secretKey == nil, let totpSeed, !totpSeed.isEmpty {
                entry.secretKey = TOTPFields.uri(seed: totpSeed, settings: totpSettings, label: entry.name)
            } else if totpSeed != nil {
                entry.unmapped.append("TOTP Seed and TOTP Settings (the otp field was used)")
            }
            for tag in draft.tags.split(whereSeparator: { $0 == ";" || $0 == "," }) {
                let trimmed = tag.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty, !entry.tags.contains(trimmed) { entry.tags.append(trimmed) }
            }
            entry.unmapped += draft.attachments.map { "attachment '\($0)'" }
            if draft.expires { entry.unmapped.append("expiry date") }
            if draft.icon != "0" && !draft.icon.isEmpty { entry.unmapped.append("icon") }
            if draft.customIcon { entry.unmapped.append("custom icon") }
            if draft.autoTypeAssociations > 0 { entry.unmapped.append("auto-type associations") }
            // A time this reader cannot read is reported and left out, never guessed; the vault
            // then stamps the version with the import's time (docs/contract.md §15).
            if let modified = draft.modified {
                entry.changedAt = KDBXTime.parse(modified)
                if entry.changedAt == nil {
                    entry.unmapped.append(Self.unreadableTime)
                }
            }
            // An older version's remark the entry itself makes (the same icon, custom field…) is
            // not repeated; an unreadable time always is: it is that version's.
            let own = entry.unmapped
            for (position, note) in draft.versionNotes where !own.contains(note) || note == Self.unreadableTime {
                entry.unmapped.append("older version \(position): \(note)")
            }
            return entry
        }

        func parser(
            _ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?
        ) {
            fail(parser, .damaged("entity declarations are not allowed"))
        }

        func parser(
            _ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?,
            systemID: String?
        ) {
            fail(parser, .damaged("entity declarations are not allowed"))
        }

        func parser(
            _ parser: XMLParser, foundUnparsedEntityDeclarationWithName name: String, publicID: String?,
            systemID: String?, notationName: String?
        ) {
            fail(parser, .damaged("entity declarations are not allowed"))
        }

        func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
            fail(parser, .damaged("external entities are not allowed"))
            return nil
        }
    }
}

/// KeePassXC's older TOTP fields: `TOTP Seed` (base32) and `TOTP Settings` (`period;digits`,
/// `period;S` for Steam, with an optional third part).
enum TOTPFields {
    static func uri(seed: String, settings: String?, label: String) -> String {
        var period = "30"
        var digits = "6"
        var encoder: String?
        if let settings {
            let parts = settings.split(separator: ";").map(String.init)
            if parts.count >= 1, Int(parts[0]) != nil { period = parts[0] }
            if parts.count >= 2 {
                if parts[1] == "S" {
                    encoder = "steam"; digits = "5"
                } else if Int(parts[1]) != nil {
                    digits = parts[1]
                }
            }
        }
        let secret = seed.filter { !$0.isWhitespace && $0 != "=" }.uppercased()
        let encodedLabel = label.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "totp"
        var uri = "otpauth://totp/\(encodedLabel.isEmpty ? "totp" : encodedLabel)?secret=\(secret)"
        uri += "&period=\(period)&digits=\(digits)"
        if let encoder { uri += "&encoder=\(encoder)" }
        return uri
    }
}
