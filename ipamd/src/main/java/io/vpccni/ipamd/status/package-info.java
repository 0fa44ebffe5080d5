/**
 * The status command ({@code ipamd status}): reads ipamd's introspection endpoints and prints the pool, ENIs, requests
 * and warnings for a person, or the raw JSON; exit 0 healthy, 1 with warnings, 2 unreachable.
 *
 * <p>I/O: an HTTP client to the introspection endpoint, stdout and stderr. {@code Warnings} is pure;
 * {@code StatusPrinter} only formats onto the {@code PrintStream} it is given.
 *
 * <p>Used by {@code ipamd.app.Main} (the {@code status} argument).
 */
package io.vpccni.ipamd.status;
