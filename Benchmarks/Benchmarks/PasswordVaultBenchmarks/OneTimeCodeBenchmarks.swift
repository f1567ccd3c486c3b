import Benchmark
import CPeers
import PasswordVault

/// TOTP codes (RFC 6238 seeds, period 30 s) and base32 decoding, ours and liboath's.
func registerOneTimeCodeBenchmarks() {
    let fast = Suite.configuration(scaling: .kilo)
    let algorithms: [(OTPAlgorithm, label: String, peer: Int32)] = [
        (.sha1, "SHA-1", 1), (.sha256, "SHA-256", 256), (.sha512, "SHA-512", 512),
    ]
    for (algorithm, label, peerAlgorithm) in algorithms {
        for digits in [6, 8] {
            let name = "TOTP \(label) \(digits) digits"
            let seed = Inputs.seed(algorithm)

            // Ours: a TOTP value made once from the seed (its key pads hashed once), one code per time step.
            let totp = try? TOTP(secret: SecretBytes(seed), algorithm: algorithm, digits: digits)
            benchmark(name, fast) { benchmark in
                guard let totp else { throw PeerFailure(what: "TOTP(secret:)", status: -1) }
                var time = Inputs.firstTime
                for _ in benchmark.scaledIterations {
                    blackHole(try totp.code(atUnixTime: time))
                    time &+= 30
                }
            }

            // liboath: oath_totp_generate2 from the raw seed (its API hashes the key for every code).
            benchmark(name + " [C]", fast) { benchmark in
                guard peer_init() == 0 else { throw PeerFailure(what: "peer_init", status: -1) }
                var output = [CChar](repeating: 0, count: 12)
                var time = Inputs.firstTime
                try seed.withUnsafeBufferPointer { seed in
                    try output.withUnsafeMutableBufferPointer { output in
                        for _ in benchmark.scaledIterations {
                            let status = peer_totp(
                                seed.baseAddress, seed.count, time, UInt32(digits), peerAlgorithm, output.baseAddress)
                            guard status == 0 else {
                                throw PeerFailure(what: "oath_totp_generate2", status: Int(status))
                            }
                            blackHole(output[0])
                            time &+= 30
                        }
                    }
                }
            }
        }
    }

    for (label, text) in [("16", Inputs.base32Short), ("32", Inputs.base32Long)] {
        let name = "base32 decode \(label) chars"
        benchmark(name, fast) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try Base32.decode(text))
            }
        }
        benchmark(name + " [C]", fast) { benchmark in
            guard peer_init() == 0 else { throw PeerFailure(what: "peer_init", status: -1) }
            let bytes = Array(text.utf8)
            try bytes.withUnsafeBufferPointer { bytes in
                try bytes.withMemoryRebound(to: CChar.self) { chars in
                    for _ in benchmark.scaledIterations {
                        let decoded = peer_base32_decode(chars.baseAddress, chars.count)
                        guard decoded > 0 else { throw PeerFailure(what: "oath_base32_decode", status: decoded) }
                        blackHole(decoded)
                    }
                }
            }
        }
    }
}
