package io.lstmjob.job;

import java.util.regex.Pattern;

/**
 * Removes credentials written into URIs (scheme://user:secret@host/...) before a path or the
 * config goes into a log line or metadata.json.
 */
public final class Redaction {
    private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/@\\s\"]+@");

    private Redaction() {
    }

    public static String credentials(String text) {
        return text == null ? null : USER_INFO.matcher(text).replaceAll("$1***@");
    }
}
