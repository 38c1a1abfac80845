package io.imagefarm.hasher.rest;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Every 4xx/5xx body: a stable code, a message saying what is wrong, and the file when one is to blame. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String error, String message, String file) {

    public static ApiError of(String error, String message) {
        return new ApiError(error, message, null);
    }
}
