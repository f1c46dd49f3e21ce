package io.lstmjob.job;

import java.util.regex.Pattern;

/**
 * Removes credentials written into URIs (scheme://user:secret@host/..., and signed URLs' query
 * parameters such as Azure's sig= or S3's X-Amz-Signature=) before a path or the config goes into a
 * log line, an outcome or metadata.json. conf/log4j2.properties applies the same two patterns to
 * every log message, Spark's included.
 */
public final class Redaction {
    private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/@\\s\"]+@");
    static final Pattern SECRET_PARAMETER = Pattern.compile(
            "([?&](?i:sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|access_token|token|password)=)[^&\\s\"]+");

    private Redaction() {}

    public static String credentials(String text) {
        return text == null
                ? null
                : SECRET_PARAMETER
                        .matcher(USER_INFO.matcher(text).replaceAll("$1***@"))
                        .replaceAll("$1***");
    }
}
