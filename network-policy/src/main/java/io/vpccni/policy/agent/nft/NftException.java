package io.vpccni.policy.agent.nft;

/** nft refused a script, failed, or did not finish in time; the message has what nft said. */
public final class NftException extends Exception {
    public NftException(String message) {
        super(message);
    }
}
