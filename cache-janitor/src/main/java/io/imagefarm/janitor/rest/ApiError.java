package io.imagefarm.janitor.rest;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An error body, in the hasher-service's shape: a stable code, a message saying what is wrong, and what
 * is to blame where one thing is: here the request body's field (the hasher names a file).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiError(String error, String message, String field) {
}
