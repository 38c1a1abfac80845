package io.imagefarm.core.hash;

/** What bash does to a command's output when it captures it with {@code $(...)}. */
final class BashText {

    private BashText() {
    }

    /** Trailing newlines are removed and NUL bytes dropped (bash warns and skips them). */
    static String commandSubstitution(String output) {
        String s = output.indexOf('\0') >= 0 ? output.replace("\0", "") : output;
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '\n') {
            end--;
        }
        return s.substring(0, end);
    }
}
