package io.vpccni.it.imds;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The emulator (moto 5.1) reports malformed MAC addresses such as "02:00:00:14102x:1302x:23102x". Where the reported
 * MAC is not a valid one, the test IMDS and the simulated fabric both use a locally administered MAC derived from the
 * ENI id, so the node sees one consistent MAC per ENI, as on EC2.
 */
public final class EmulatorMacs {

  private static final Pattern MAC = Pattern.compile("([0-9a-f]{2}:){5}[0-9a-f]{2}");

  private EmulatorMacs() {}

  public static String macOf(String eniId, String reportedMac) {
    if (reportedMac != null && MAC.matcher(reportedMac.toLowerCase()).matches()) {
      return reportedMac.toLowerCase();
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(eniId.getBytes(StandardCharsets.UTF_8));
      byte[] mac = new byte[6];
      mac[0] = 0x02;
      System.arraycopy(digest, 0, mac, 1, 5);
      return HexFormat.ofDelimiter(":").formatHex(mac);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every JDK", e);
    }
  }
}
