package io.imagefarm.janitor.usage;

/** Where a run gets its usage history. Failing is better than empty: empty would drop retention by use. */
public interface UsageSource {

    UsageHistory read();
}
