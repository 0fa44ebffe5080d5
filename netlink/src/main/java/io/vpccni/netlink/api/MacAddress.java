package io.vpccni.netlink.api;

import java.util.HexFormat;

/** A 48-bit Ethernet address, held as a long so the record's equality is by value. */
public record MacAddress(long value) {
    private static final HexFormat HEX = HexFormat.of();

    public MacAddress {
        if ((value & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("MAC address wider than 48 bits: " + Long.toHexString(value));
        }
    }

    /** Parses {@code "aa:bb:cc:dd:ee:ff"} (case-insensitive). */
    public static MacAddress parse(String text) {
        String[] parts = text.split(":");
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        long v = 0;
        for (String p : parts) {
            if (p.length() != 2) {
                throw new IllegalArgumentException("not a MAC address: " + text);
            }
            v = (v << 8) | HexFormat.fromHexDigits(p);
        }
        return new MacAddress(v);
    }

    /** From the 6 bytes the kernel uses (IFLA_ADDRESS, NDA_LLADDR). */
    public static MacAddress of(byte[] bytes) {
        if (bytes.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, got " + bytes.length);
        }
        long v = 0;
        for (byte b : bytes) {
            v = (v << 8) | (b & 0xFF);
        }
        return new MacAddress(v);
    }

    public byte[] bytes() {
        byte[] b = new byte[6];
        for (int i = 5, shift = 0; i >= 0; i--, shift += 8) {
            b[i] = (byte) (value >>> shift);
        }
        return b;
    }

    @Override
    public String toString() {
        byte[] b = bytes();
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(HEX.toHexDigits(b[i]));
        }
        return sb.toString();
    }
}
