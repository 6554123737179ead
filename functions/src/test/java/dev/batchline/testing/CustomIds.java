package dev.batchline.testing;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Every kind of custom_id the validator accepts: 1 to 512 UTF-16 characters of valid Unicode
 * (any code point, surrogates only in pairs), weighted toward the ones that break stores: names a
 * file system or the output folder holds for itself, case twins, dots, escapes, long and wide ids.
 */
public final class CustomIds {

    /** Ids chosen by hand, each for a store it has broken or could. */
    public static final List<String> HOSTILE = List.of(
            "a".repeat(512), "é".repeat(512), "😀".repeat(256), "\uFFFF".repeat(512), "manifest", "index", "ABC",
            "abc", "..", ".", "%2F", "a/b", "/", "~hash", "e\u0301", "with space", " ", "\uFFFE\uFFFF", "CON",
            "x".repeat(199) + "é", "req.json", "tab\there", "new\nline", "quote\"d", "back\\slash");

    private CustomIds() {
    }

    public static Arbitrary<String> accepted() {
        Arbitrary<Integer> anyCodePoint = Arbitraries.integers().between(0, Character.MAX_CODE_POINT)
                .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE);
        Arbitrary<Integer> ascii = Arbitraries.integers().between(0x20, 0x7E);
        Arbitrary<String> mixed = Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(3, ascii), net.jqwik.api.Tuple.of(1, anyCodePoint))
                .list().ofMinSize(1).ofMaxSize(512)
                .map(codePoints -> new String(codePoints.stream().mapToInt(Integer::intValue).toArray(), 0,
                        codePoints.size()))
                .filter(id -> id.length() <= 512);
        return Arbitraries.oneOf(mixed, Arbitraries.of(HOSTILE));
    }
}
