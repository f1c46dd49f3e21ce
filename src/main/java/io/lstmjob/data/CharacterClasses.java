package io.lstmjob.data;

import java.io.Serializable;

/**
 * Code point to class index for the text cut, a table lookup for the Basic Multilingual Plane and a
 * binary search above it ({@link Vocabulary#indexOf} alone would search for every character).
 */
final class CharacterClasses implements Serializable {
    private final Vocabulary vocabulary;
    /** class + 1 of every BMP code point, 0 for none */
    private final char[] bmp = new char[Character.MAX_VALUE + 1];

    CharacterClasses(Vocabulary vocabulary) {
        if (vocabulary.size() > Character.MAX_VALUE) {
            throw new InputDataException("the text has " + vocabulary.size()
                    + " distinct characters; a character model " + "takes at most " + (Character.MAX_VALUE));
        }
        this.vocabulary = vocabulary;
        for (int c = 0; c < vocabulary.size(); c++) {
            int cp = vocabulary.codePointAt(c);
            if (cp <= Character.MAX_VALUE) {
                bmp[cp] = (char) (c + 1);
            }
        }
    }

    /** The class of a code point the vocabulary holds (the census has checked that it does). */
    char of(int codePoint) {
        int cls = codePoint <= Character.MAX_VALUE ? bmp[codePoint] - 1 : vocabulary.indexOf(codePoint);
        if (cls < 0) {
            throw new IllegalStateException(
                    "character U+" + Integer.toHexString(codePoint).toUpperCase() + " is not in the vocabulary");
        }
        return (char) cls;
    }
}
