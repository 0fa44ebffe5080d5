package io.vpccni.it.faults;

/** An EC2 error reply: HTTP status, EC2 error code and message, as EC2's query API sends them. */
public record Fault(int httpStatus, String code, String message) {

  public static final Fault THROTTLED = new Fault(503, "RequestLimitExceeded", "Request limit exceeded.");
  public static final Fault INTERNAL_ERROR = new Fault(500, "InternalError", "An internal error has occurred.");
  public static final Fault SUBNET_FULL = new Fault(400, "InsufficientFreeAddressesInSubnet",
      "The specified subnet does not have enough free addresses to satisfy the request.");
  public static final Fault UNAUTHORIZED = new Fault(403, "UnauthorizedOperation",
      "You are not authorized to perform this operation.");
  public static final Fault ATTACHMENT_LIMIT = new Fault(400, "AttachmentLimitExceeded",
      "Interface count exceeds the limit for this instance type.");

  String xml() {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>" + code + "</Code><Message>"
        + message + "</Message></Error></Errors><RequestID>fault-injected</RequestID></Response>";
  }
}
