package io.vpccni.eni.error;

/**
 * Every way an EC2 call can fail, as a closed set that callers switch on. The classification decides retries
 * (only {@link Throttled} and {@link Unavailable} are retried) and the reason a pod add reports when the pool
 * cannot grow.
 */
public sealed abstract class Ec2Failure extends RuntimeException {

    private final String operation;
    private final String errorCode;

    private Ec2Failure(String operation, String errorCode, String message, Throwable cause) {
        super(operation + ": " + message + (errorCode.isEmpty() ? "" : " (" + errorCode + ")"), cause);
        this.operation = operation;
        this.errorCode = errorCode;
    }

    /** The EC2 API that failed, e.g. "CreateNetworkInterface". */
    public String operation() {
        return operation;
    }

    /** EC2's error code, e.g. "RequestLimitExceeded"; empty for failures we raise ourselves. */
    public String errorCode() {
        return errorCode;
    }

    public boolean retryable() {
        return this instanceof Throttled || this instanceof Unavailable;
    }

    /** RequestLimitExceeded, Throttling: EC2 asked us to slow down. */
    public static final class Throttled extends Ec2Failure {
        public Throttled(String operation, String errorCode, String message, Throwable cause) {
            super(operation, errorCode, message, cause);
        }
    }

    /** 5xx, timeouts, connection failures, or the circuit breaker refusing calls for a while. */
    public static final class Unavailable extends Ec2Failure {
        public Unavailable(String operation, String errorCode, String message, Throwable cause) {
            super(operation, errorCode, message, cause);
        }
    }

    /** InsufficientFreeAddressesInSubnet, InsufficientCidrBlocks: the subnet cannot give more addresses. */
    public static final class SubnetFull extends Ec2Failure {
        public SubnetFull(String operation, String errorCode, String message, Throwable cause) {
            super(operation, errorCode, message, cause);
        }
    }

    /** The instance type's ENI or per-ENI address limit (EC2's AttachmentLimitExceeded, or our own check). */
    public static final class LimitExceeded extends Ec2Failure {
        public LimitExceeded(String operation, String errorCode, String message, Throwable cause) {
            super(operation, errorCode, message, cause);
        }
    }

    /** UnauthorizedOperation and friends: the node role lacks an IAM permission; retrying will not help. */
    public static final class PermissionDenied extends Ec2Failure {
        public PermissionDenied(String operation, String errorCode, String message, Throwable cause) {
            super(operation, errorCode, message, cause);
        }
    }

    /** The ENI, attachment or address is gone; for detach and delete this means the work is already done. */
    public static final class NotFound extends Ec2Failure {
        public NotFound(String operation, String errorCode, String message, Throwable cause) {
            super(operation, errorCode, message, cause);
        }
    }

    /** Anything else: a bad request, an unexpected reply. */
    public static final class Other extends Ec2Failure {
        public Other(String operation, String errorCode, String message, Throwable cause) {
            super(operation, errorCode, message, cause);
        }
    }
}
