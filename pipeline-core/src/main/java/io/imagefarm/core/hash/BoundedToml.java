package io.imagefarm.core.hash;

import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenFactory;
import org.antlr.v4.runtime.TokenSource;
import org.antlr.v4.runtime.misc.Interval;
import org.antlr.v4.runtime.misc.ParseCancellationException;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;
import org.tomlj.internal.TomlLexer;
import org.tomlj.internal.TomlParser;

/**
 * {@link Toml#parse(String)} that cannot overflow the stack. tomlj 1.1.1's ANTLR parser recurses once
 * per nested array or inline table and has no limit of its own, so {@code a = [[[[…]]]]} 10,000 deep
 * throws {@link StackOverflowError}.
 *
 * <p>Counting brackets in the text is not enough: where the text is not valid TOML, ANTLR's error
 * recovery skips tokens it did not expect, closing brackets included, so {@code a = {1} = {1} = …}
 * nests once per {@code {1} =} although every brace is closed. Two passes make the bound hold for
 * every input:
 * <ol>
 * <li>A check with tomlj's own lexer and grammar, without error recovery (ANTLR's
 *     {@link BailErrorStrategy}: the first syntax error stops it). It counts the nesting of the lexer's
 *     array and inline-table tokens, so strings, comments and table headers are told apart exactly as
 *     tomlj tells them apart, and refuses the file at the first opening bracket past
 *     {@link ParseLimits#MAX_NESTING_DEPTH}. Without recovery every closing token it takes closes a
 *     level, so it never nests deeper than that count.</li>
 * <li>{@link Toml#parse(String)} on the whole text if the check found no syntax error: it then never
 *     recovers either, and nests exactly as deep as the check did. If the check stopped at a syntax
 *     error, tomlj parses only the text up to the token that stopped it: the same tokens up to the same
 *     first error, so the same message as for the whole file, and nothing after it to recover through
 *     (should the shortened text parse after all, the check's own position and token are reported).</li>
 * </ol>
 * Both passes are linear, and the check costs about as much as tomlj's own parse: real files take
 * milliseconds; a file at {@link ParseLimits#MAX_FILE_BYTES} that is one long array of small values takes
 * tomlj alone a few seconds, and about twice that with the check. {@code org.tomlj.internal} is
 * tomlj's generated lexer and parser, used for their token types; {@code ParseLimitsTest} feeds
 * this class the nesting that overflows tomlj, so an upgrade that changes them fails a test, not a service.
 */
final class BoundedToml {

    private BoundedToml() {
    }

    /** The parse result, with tomlj's errors in it as usual; a file nested too deep is refused instead. */
    static TomlParseResult parse(String file, String text) {
        CharStream chars = CharStreams.fromString(text);
        Token stop = firstSyntaxError(file, chars);
        if (stop == null) {
            return Toml.parse(text);
        }
        String upToError = stop.getType() == Token.EOF ? text : chars.getText(Interval.of(0, stop.getStopIndex()));
        TomlParseResult result = Toml.parse(upToError);
        if (!result.hasErrors()) {
            // tomlj accepts the shortened text (its last token may read differently once the rest is gone):
            // the check's own error still stands.
            throw new InvalidRepositoryFilesException(file, ParseLimits.located("invalid TOML", stop.getLine(),
                    stop.getCharPositionInLine() + 1) + ": unexpected " + describe(stop));
        }
        return result;
    }

    private static String describe(Token token) {
        return switch (token.getType()) {
            case Token.EOF -> "end of input";
            case TomlLexer.NewLine -> "end of line";
            default -> "'" + token.getText() + "'";
        };
    }

    /** The token the check stopped at, or null when the text has no syntax error. */
    private static Token firstSyntaxError(String file, CharStream chars) {
        TomlLexer lexer = new TomlLexer(chars);
        lexer.removeErrorListeners();
        TomlParser parser = new TomlParser(new CommonTokenStream(new DepthCountingTokens(file, lexer)));
        parser.removeErrorListeners();
        parser.setErrorHandler(new BailErrorStrategy());
        try {
            parser.toml();
            return null;
        } catch (ParseCancellationException e) {
            Token offending = e.getCause() instanceof RecognitionException re ? re.getOffendingToken() : null;
            return offending != null ? offending : parser.getCurrentToken();
        }
    }

    /** The lexer's tokens, counting open arrays and inline tables as they are read. */
    private static final class DepthCountingTokens implements TokenSource {

        private final String file;
        private final TomlLexer lexer;
        private int depth;

        DepthCountingTokens(String file, TomlLexer lexer) {
            this.file = file;
            this.lexer = lexer;
        }

        @Override
        public Token nextToken() {
            Token token = lexer.nextToken();
            switch (token.getType()) {
                case TomlLexer.ArrayStart, TomlLexer.InlineTableStart -> {
                    if (++depth > ParseLimits.MAX_NESTING_DEPTH) {
                        throw ParseLimits.tooDeep(file, "TOML", "arrays and inline tables", token.getLine(),
                                token.getCharPositionInLine() + 1);
                    }
                }
                case TomlLexer.ArrayEnd, TomlLexer.InlineTableEnd -> depth = Math.max(0, depth - 1);
                default -> {
                }
            }
            return token;
        }

        @Override
        public int getLine() {
            return lexer.getLine();
        }

        @Override
        public int getCharPositionInLine() {
            return lexer.getCharPositionInLine();
        }

        @Override
        public CharStream getInputStream() {
            return lexer.getInputStream();
        }

        @Override
        public String getSourceName() {
            return lexer.getSourceName();
        }

        @Override
        public void setTokenFactory(TokenFactory<?> factory) {
            lexer.setTokenFactory(factory);
        }

        @Override
        public TokenFactory<?> getTokenFactory() {
            return lexer.getTokenFactory();
        }
    }
}
