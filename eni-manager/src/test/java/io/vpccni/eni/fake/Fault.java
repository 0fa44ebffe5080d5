package io.vpccni.eni.fake;

import io.vpccni.eni.aws.Ec2QueryException;

/**
 * A failure the in-memory EC2 answers instead of doing a call, given as what the EC2 client would throw so that
 * {@link io.vpccni.eni.aws.AwsErrors#classify} turns it into the same {@link io.vpccni.eni.error.Ec2Failure} the
 * production adapter raises.
 */
public sealed interface Fault {

    /** The exception the EC2 client ({@code Ec2QueryClient}) throws for this failure. */
    Ec2QueryException exception();

    /** EC2 answered with an error code and an HTTP status. */
    record ServiceError(String errorCode, int httpStatus, String message) implements Fault {
        public ServiceError {
            if (errorCode.isBlank() || httpStatus < 400 || httpStatus > 599) {
                throw new IllegalArgumentException("an EC2 error needs a code and a 4xx or 5xx status, not '"
                        + errorCode + "' " + httpStatus);
            }
        }

        @Override
        public Ec2QueryException exception() {
            return new Ec2QueryException.ServiceError(errorCode, message, "", httpStatus);
        }
    }

    /** No answer at all: a connection refused or reset, a time-out. */
    record NoAnswer(String message) implements Fault {
        @Override
        public Ec2QueryException exception() {
            return new Ec2QueryException.NoAnswer(message, null);
        }
    }

    /** EC2's answer to a client over its request rate (it answers 503). */
    static Fault throttled() {
        return new ServiceError("RequestLimitExceeded", 503, "Request limit exceeded.");
    }

    /** An internal error of EC2. */
    static Fault internalError() {
        return new ServiceError("InternalError", 500, "An internal error has occurred.");
    }

    /** The node role lacks the IAM permission for the call. */
    static Fault unauthorized() {
        return new ServiceError("UnauthorizedOperation", 403,
                "You are not authorized to perform this operation.");
    }

    /** The subnet has no free address left (what EC2 answers when another node took the last ones). */
    static Fault subnetFull() {
        return new ServiceError("InsufficientFreeAddressesInSubnet", 400,
                "The specified subnet does not have enough free addresses to satisfy the request.");
    }

    static Fault connectionFailure() {
        return new NoAnswer("Unable to execute HTTP request: Connection refused");
    }
}
