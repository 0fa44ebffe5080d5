package io.vpccni.cni.testing;

/** Network configurations as the runtime passes them on stdin. */
public final class Conf {
    public static final String NETWORK = "vpc-test";

    private Conf() {}

    public static String of(String version) {
        return of(version, "");
    }

    /** {@code extra} is inserted as more fields, e.g. {@code ,"prevResult":{...}}. */
    public static String of(String version, String extra) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"" + NETWORK + "\",\"type\":\"vpc-cni\","
                + "\"vethPrefix\":\"eni\",\"mtu\":\"9001\",\"pluginLogLevel\":\"DEBUG\"" + extra + "}";
    }

    public static String withPrev(String version, String prevResultJson) {
        return of(version, ",\"prevResult\":" + prevResultJson);
    }
}
