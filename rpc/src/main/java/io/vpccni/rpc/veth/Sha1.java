package io.vpccni.rpc.veth;

/**
 * SHA-1 (FIPS 180-4), for the veth name only. Written out because MessageDigest.getInstance
 * initialises the security providers, a cost paid on every pod ADD in a short-lived process.
 * Not for anything security-related.
 */
final class Sha1 {
    private Sha1() {}

    static byte[] digest(byte[] message) {
        int blocks = (message.length + 8) / 64 + 1;
        byte[] padded = new byte[blocks * 64];
        System.arraycopy(message, 0, padded, 0, message.length);
        padded[message.length] = (byte) 0x80;
        long bits = (long) message.length * 8;
        for (int i = 0; i < 8; i++) {
            padded[padded.length - 1 - i] = (byte) (bits >>> (8 * i));
        }
        int h0 = 0x67452301;
        int h1 = 0xEFCDAB89;
        int h2 = 0x98BADCFE;
        int h3 = 0x10325476;
        int h4 = 0xC3D2E1F0;
        int[] w = new int[80];
        for (int block = 0; block < blocks; block++) {
            for (int t = 0; t < 16; t++) {
                int o = block * 64 + t * 4;
                w[t] = (padded[o] & 0xFF) << 24 | (padded[o + 1] & 0xFF) << 16
                        | (padded[o + 2] & 0xFF) << 8 | padded[o + 3] & 0xFF;
            }
            for (int t = 16; t < 80; t++) {
                w[t] = Integer.rotateLeft(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
            }
            int a = h0;
            int b = h1;
            int c = h2;
            int d = h3;
            int e = h4;
            for (int t = 0; t < 80; t++) {
                int f;
                int k;
                if (t < 20) {
                    f = b & c | ~b & d;
                    k = 0x5A827999;
                } else if (t < 40) {
                    f = b ^ c ^ d;
                    k = 0x6ED9EBA1;
                } else if (t < 60) {
                    f = b & c | b & d | c & d;
                    k = 0x8F1BBCDC;
                } else {
                    f = b ^ c ^ d;
                    k = 0xCA62C1D6;
                }
                int temp = Integer.rotateLeft(a, 5) + f + e + k + w[t];
                e = d;
                d = c;
                c = Integer.rotateLeft(b, 30);
                b = a;
                a = temp;
            }
            h0 += a;
            h1 += b;
            h2 += c;
            h3 += d;
            h4 += e;
        }
        byte[] out = new byte[20];
        int[] h = {h0, h1, h2, h3, h4};
        for (int i = 0; i < 20; i++) {
            out[i] = (byte) (h[i / 4] >>> (24 - 8 * (i % 4)));
        }
        return out;
    }
}
