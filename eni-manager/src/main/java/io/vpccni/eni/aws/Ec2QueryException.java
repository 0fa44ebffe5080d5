package io.vpccni.eni.aws;

/**
 * How an EC2 Query call fails below the mapping into {@link io.vpccni.eni.error.Ec2Failure} ({@link AwsErrors}):
 * EC2 answered with an error, or it did not answer.
 */
public sealed abstract class Ec2QueryException extends RuntimeException {

    private Ec2QueryException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * EC2's error reply ({@code <Response><Errors><Error><Code>}, {@code <Message>}, {@code <RequestID>}).
     *
     * @param errorCode EC2's code, e.g. "InvalidNetworkInterfaceID.NotFound"; empty when the reply carried none
     *     (a proxy's 502 page)
     * @param requestId EC2's request id, empty when the reply carried none
     */
    public static final class ServiceError extends Ec2QueryException {
        private final String errorCode;
        private final String errorMessage;
        private final String requestId;
        private final int httpStatus;

        public ServiceError(String errorCode, String errorMessage, String requestId, int httpStatus) {
            super(errorMessage + " (" + (errorCode.isEmpty() ? "no error code" : errorCode) + ", HTTP " + httpStatus
                    + (requestId.isEmpty() ? "" : ", request id " + requestId) + ")", null);
            this.errorCode = errorCode;
            this.errorMessage = errorMessage;
            this.requestId = requestId;
            this.httpStatus = httpStatus;
        }

        public String errorCode() {
            return errorCode;
        }

        public String errorMessage() {
            return errorMessage;
        }

        public String requestId() {
            return requestId;
        }

        public int httpStatus() {
            return httpStatus;
        }
    }

    /** No reply that says anything: connection refused or reset, the call's time-out, a reply that is not EC2's XML. */
    public static final class NoAnswer extends Ec2QueryException {
        public NoAnswer(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
