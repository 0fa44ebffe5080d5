package io.vpccni.ipamd.hostnet;

/** The link of an attached ENI did not appear within the retry bound; the caller may retry later. */
public final class EniLinkNotFoundException extends RuntimeException {
    public EniLinkNotFoundException(String message) {
        super(message);
    }
}
