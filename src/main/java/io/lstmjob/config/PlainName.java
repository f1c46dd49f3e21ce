package io.lstmjob.config;

import java.util.regex.Pattern;

/**
 * The one rule for names that become path elements (model names, versions, run ids, file names):
 * 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit, without "..", so that
 * nothing can point outside its folder.
 */
public final class PlainName {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    /** What a name must be, for error messages. */
    public static final String RULE =
            "must be 1-100 letters, digits, '.', '_' or '-', start with a letter or digit" + " and not contain '..'";

    private PlainName() {}

    public static boolean isPlain(String name) {
        return name != null && PLAIN.matcher(name).matches() && !name.contains("..");
    }
}
