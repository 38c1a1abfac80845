package io.imagefarm.edge;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Every error answer of every service: a stable, machine-readable {@code error} code, a {@code message}
 * for a human, and what is to blame where one thing is: the request body's {@code field} (its JSON path)
 * or the repository {@code file}. Messages are the services' own words, never an internal exception's.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String error, String message, String field, String file) {

    public ApiError {
        if (error == null || error.isBlank() || message == null || message.isBlank()) {
            throw new IllegalArgumentException("an ApiError needs a code and a message");
        }
    }

    public static ApiError of(String error, String message) {
        return new ApiError(error, message, null, null);
    }
}
