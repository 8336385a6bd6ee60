/** How often pages poll the API while open: live enough to watch a sync, cheap for the service. */
export const pollIntervalMs = 2000;
