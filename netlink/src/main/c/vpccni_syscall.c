/*
 * The native side of io.vpccni.netlink.sys.LibC: the system calls the netlink library and the
 * plugin's ipamd client need, bound by JNI.
 *
 * Why JNI and not the FFM API: the CNI plugin is a new JVM per pod. JDK 25 generates every FFM
 * downcall and its adapter classes at run time in each process (its AOT cache cannot keep
 * them), and FFM's memory API warms up interpreted too: together about a quarter of a pod ADD's
 * CPU (BENCHMARKS.md). A JNI method is bound by one symbol lookup in this library, and Java
 * arrays in and out need no native memory API at all.
 *
 * Conventions: every function returns the call's result, or minus errno on failure (the kernel's
 * own convention), so Java needs no second out-value to tell EINTR or EAGAIN apart. Buffers are
 * copied between Java arrays and C memory around the call, never pinned across it: a recv may
 * block, and a pinned array would hold up the garbage collector meanwhile. Lengths are checked
 * on the Java side; the checks here only keep a bad caller from overrunning C memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jni.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define JNI(name) JNIEXPORT jlong JNICALL Java_io_vpccni_netlink_sys_LibC_##name

static jlong result(long rc) {
    return rc < 0 ? -(jlong) errno : (jlong) rc;
}

/* Copies a small Java array (a socket address, an option value, a path) into buf; -EINVAL when
 * it does not fit. */
static jlong copy_in(JNIEnv *env, jbyteArray from, char *buf, jsize capacity, jsize *length) {
    *length = (*env)->GetArrayLength(env, from);
    if (*length > capacity) {
        return -EINVAL;
    }
    (*env)->GetByteArrayRegion(env, from, 0, *length, (jbyte *) buf);
    return 0;
}

JNI(socket0)(JNIEnv *env, jclass cls, jint domain, jint type, jint protocol) {
    (void) env, (void) cls;
    return result(socket(domain, type, protocol));
}

JNI(close0)(JNIEnv *env, jclass cls, jint fd) {
    (void) env, (void) cls;
    return result(close(fd));
}

JNI(setns0)(JNIEnv *env, jclass cls, jint fd, jint nstype) {
    (void) env, (void) cls;
    return result(setns(fd, nstype));
}

JNI(shutdown0)(JNIEnv *env, jclass cls, jint fd, jint how) {
    (void) env, (void) cls;
    return result(shutdown(fd, how));
}

/* path: NUL-terminated bytes. */
JNI(openat0)(JNIEnv *env, jclass cls, jbyteArray path, jint flags) {
    (void) cls;
    char buf[PATH_MAX];
    jsize n;
    jlong rc = copy_in(env, path, buf, sizeof buf, &n);
    if (rc < 0 || n == 0 || buf[n - 1] != '\0') {
        return -EINVAL;
    }
    return result(openat(AT_FDCWD, buf, flags));
}

JNI(bind0)(JNIEnv *env, jclass cls, jint fd, jbyteArray address) {
    (void) cls;
    struct sockaddr_storage addr;
    jsize n;
    jlong rc = copy_in(env, address, (char *) &addr, sizeof addr, &n);
    return rc < 0 ? rc : result(bind(fd, (struct sockaddr *) &addr, (socklen_t) n));
}

JNI(connect0)(JNIEnv *env, jclass cls, jint fd, jbyteArray address) {
    (void) cls;
    struct sockaddr_storage addr;
    jsize n;
    jlong rc = copy_in(env, address, (char *) &addr, sizeof addr, &n);
    if (rc < 0) {
        return rc;
    }
    do {
        rc = result(connect(fd, (struct sockaddr *) &addr, (socklen_t) n));
    } while (rc == -EINTR);
    return rc;
}

JNI(setsockopt0)(JNIEnv *env, jclass cls, jint fd, jint level, jint option, jbyteArray value) {
    (void) cls;
    char buf[64];
    jsize n;
    jlong rc = copy_in(env, value, buf, sizeof buf, &n);
    return rc < 0 ? rc : result(setsockopt(fd, level, option, buf, (socklen_t) n));
}

/* Sends data[offset, offset + length) to address (NULL: the connected peer). */
JNI(sendto0)(JNIEnv *env, jclass cls, jint fd, jbyteArray data, jint offset, jint length, jint flags,
             jbyteArray address) {
    (void) cls;
    struct sockaddr_storage addr;
    jsize addr_len = 0;
    if (address != NULL && copy_in(env, address, (char *) &addr, sizeof addr, &addr_len) < 0) {
        return -EINVAL;
    }
    char *buf = malloc(length > 0 ? (size_t) length : 1);
    if (buf == NULL) {
        return -ENOMEM;
    }
    (*env)->GetByteArrayRegion(env, data, offset, length, (jbyte *) buf);
    jlong rc = result(sendto(fd, buf, (size_t) length, flags,
                             address != NULL ? (struct sockaddr *) &addr : NULL, (socklen_t) addr_len));
    free(buf);
    return rc;
}

/* Receives into data[offset, offset + length); with address non-NULL, the sender's address is
 * copied there (at most its length). The result is what the kernel returned: with MSG_TRUNC, the
 * datagram's real size, which may exceed length; only length bytes are copied. */
JNI(recvfrom0)(JNIEnv *env, jclass cls, jint fd, jbyteArray data, jint offset, jint length, jint flags,
               jbyteArray address) {
    (void) cls;
    struct sockaddr_storage addr;
    socklen_t addr_len = sizeof addr;
    char *buf = malloc(length > 0 ? (size_t) length : 1);
    if (buf == NULL) {
        return -ENOMEM;
    }
    long n = recvfrom(fd, buf, (size_t) length, flags,
                      address != NULL ? (struct sockaddr *) &addr : NULL, address != NULL ? &addr_len : NULL);
    jlong rc = result(n);
    if (n > 0) {
        (*env)->SetByteArrayRegion(env, data, offset, n < length ? (jsize) n : length, (jbyte *) buf);
    }
    if (n >= 0 && address != NULL) {
        jsize capacity = (*env)->GetArrayLength(env, address);
        (*env)->SetByteArrayRegion(env, address, 0, (jsize) addr_len < capacity ? (jsize) addr_len : capacity,
                                   (jbyte *) &addr);
    }
    free(buf);
    return rc;
}

/*
 * The descriptor of a JDK socket channel: sun.nio.ch's SelChImpl.getFDVal(), which JNI may call although
 * java.base does not export the package (the selector implementation itself calls it). -ENOTSUP when the
 * channel has no such method (another JDK).
 */
JNI(channelFd0)(JNIEnv *env, jclass cls, jobject channel) {
    (void) cls;
    jclass type = (*env)->GetObjectClass(env, channel);
    jmethodID get = (*env)->GetMethodID(env, type, "getFDVal", "()I");
    if (get == NULL) {
        (*env)->ExceptionClear(env);
        return -ENOTSUP;
    }
    jint fd = (*env)->CallIntMethod(env, channel, get);
    if ((*env)->ExceptionCheck(env)) {
        (*env)->ExceptionClear(env);
        return -ENOTSUP;
    }
    return fd;
}

/* Room for this many descriptors in one message; more and the kernel sets MSG_CTRUNC and closes the rest. */
#define MAX_PASSED 8
/* More than a receiver takes: a sender may pass more than MAX_PASSED, and the receiver must cope. */
#define MAX_SENT 64

/* A message's control buffer, aligned for its headers, with room for n descriptors. */
#define CONTROL(name, n) union { struct cmsghdr align; char space[CMSG_SPACE(sizeof(int) * (n))]; } name

/* One buffer of data and a control buffer; allocates length bytes (at least one) into *buf, NULL when out of memory. */
static struct msghdr message(struct iovec *iov, char **buf, jint length, void *control, size_t control_len) {
    *buf = malloc(length > 0 ? (size_t) length : 1);
    iov->iov_base = *buf;
    iov->iov_len = (size_t) length;
    struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = control_len};
    return msg;
}

/*
 * recvmsg(2) of a stream socket into data[offset, offset + length), with the descriptors a message carries
 * (SCM_RIGHTS, received close-on-exec). out[0]: the first descriptor, kept open for the caller, or -1;
 * out[1]: how many the message carried (all but the first are closed here); out[2]: msg_flags. With MSG_CTRUNC
 * every descriptor received is closed and out[0] is -1: a message whose descriptors did not all arrive is not
 * used. The result is the byte count, 0 at end of stream, or minus errno.
 */
JNI(recvmsg0)(JNIEnv *env, jclass cls, jint fd, jbyteArray data, jint offset, jint length, jint flags,
              jintArray out) {
    (void) cls;
    CONTROL(control, MAX_PASSED);
    struct iovec iov;
    char *buf;
    struct msghdr msg = message(&iov, &buf, length, control.space, sizeof control.space);
    if (buf == NULL) {
        return -ENOMEM;
    }
    long n = recvmsg(fd, &msg, flags | MSG_CMSG_CLOEXEC);
    jint got[3] = {-1, 0, 0};
    if (n >= 0) {
        got[2] = msg.msg_flags;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
                continue;
            }
            size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < count; i++) {
                int passed;
                memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof passed);
                got[1]++;
                if (got[0] < 0 && !(msg.msg_flags & MSG_CTRUNC)) {
                    got[0] = passed;
                } else {
                    close(passed);
                }
            }
        }
        if (n > 0) {
            (*env)->SetByteArrayRegion(env, data, offset, (jsize) n, (jbyte *) buf);
        }
    }
    jlong rc = result(n);
    free(buf);
    (*env)->SetIntArrayRegion(env, out, 0, 3, got);
    return rc;
}

/* sendmsg(2) of data[offset, offset + length) on a stream socket with fds (at most MAX_SENT) as SCM_RIGHTS. */
JNI(sendmsg0)(JNIEnv *env, jclass cls, jint fd, jbyteArray data, jint offset, jint length, jint flags,
              jintArray fds) {
    (void) cls;
    CONTROL(control, MAX_SENT);
    jsize count = (*env)->GetArrayLength(env, fds);
    if (count < 1 || count > MAX_SENT) {
        return -EINVAL;
    }
    memset(&control, 0, sizeof control);
    struct iovec iov;
    char *buf;
    struct msghdr msg = message(&iov, &buf, length, control.space, CMSG_SPACE(sizeof(int) * (size_t) count));
    if (buf == NULL) {
        return -ENOMEM;
    }
    (*env)->GetByteArrayRegion(env, data, offset, length, (jbyte *) buf);
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t) count);
    (*env)->GetIntArrayRegion(env, fds, 0, count, (jint *) CMSG_DATA(c));
    jlong rc = result(sendmsg(fd, &msg, flags));
    free(buf);
    return rc;
}
