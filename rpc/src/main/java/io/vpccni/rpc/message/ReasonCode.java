package io.vpccni.rpc.message;

/**
 * Why ipamd refused a request, and the CNI error code the plugin reports for it.
 *
 * <p>Code 11 ("try again later") is kept for conditions expected to clear up on their own (ipamd
 * starting, the pool being refilled, EC2 throttling). Conditions that need pods to go away or an
 * operator to act get a code of our own (100 and up, as the spec reserves), so a runtime or a
 * human reading the error does not mistake them for a blip:
 *
 * <pre>
 * reason                        CNI code  retryable  meaning
 * NOT_READY                       11       yes       ipamd up but has not finished restoring / first sync
 * POOL_EMPTY                      11       yes       no free address, a refill is under way
 * POOL_EMPTY_THROTTLED            11       yes       refill blocked by EC2 throttling / circuit open
 * POOL_EMPTY_SUBNET_EXHAUSTED    101       no        the ENI subnet(s) have no free address
 * POOL_EMPTY_ENI_LIMIT           102       no        instance type's ENI and address limits reached
 * POOL_EMPTY_PERMISSION_DENIED   103       no        IAM role lacks an EC2 permission
 * BAD_REQUEST                    104       no        ipamd could not decode or accept the request
 * VERSION_MISMATCH               105       no        plugin and ipamd speak different protocol versions
 * INTERNAL                       999       no        bug or unexpected error in ipamd (spec ErrInternal)
 * </pre>
 *
 * Code 100 is left for the plugin's own "ipamd unreachable".
 */
public enum ReasonCode {
    NOT_READY(11, true),
    POOL_EMPTY_SUBNET_EXHAUSTED(101, false),
    POOL_EMPTY_ENI_LIMIT(102, false),
    POOL_EMPTY_THROTTLED(11, true),
    POOL_EMPTY_PERMISSION_DENIED(103, false),
    POOL_EMPTY(11, true),
    BAD_REQUEST(104, false),
    VERSION_MISMATCH(105, false),
    INTERNAL(999, false);

    private final int cniCode;
    private final boolean retryable;

    ReasonCode(int cniCode, boolean retryable) {
        this.cniCode = cniCode;
        this.retryable = retryable;
    }

    public int cniCode() {
        return cniCode;
    }

    /** The default for {@link Failure#of}; a reply may still say otherwise. */
    public boolean retryable() {
        return retryable;
    }
}
