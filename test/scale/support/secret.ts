/** Payload's secret of the scale-out suites: the instances and the publishing process share it. */
export const SECRET = 'scale-out-spec-secret';
