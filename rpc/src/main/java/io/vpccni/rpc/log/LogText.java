package io.vpccni.rpc.log;

/**
 * Text made safe for a line-oriented log: values in a log line come from requests (CNI_ARGS, CNI_NETNS,
 * pod names), and a newline or a terminal escape in one must not forge a line or repaint a terminal. Shared by
 * the plugin's log and ipamd's.
 */
public final class LogText {
    private LogText() {}

    /**
     * {@code text} with every control character written as an escape ({@code \n}, {@code \r}, {@code \t},
     * otherwise {@code \}{@code u00XX}), including DEL and the Unicode line and paragraph separators; the same
     * string when there is none.
     */
    public static String escape(String text) {
        int i = 0;
        while (i < text.length() && !control(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!control(c)) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }

    private static boolean control(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }
}
