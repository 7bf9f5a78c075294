/**
 * `service_notice` of a request: the appeal's public number, which a citizen quotes on the phone
 * and finds on the public page. One definition, so that the POST answer and GET /requests/:id say
 * the same (the deadline is `expected_datetime`, which may move; the number never does).
 */
export const serviceNotice = (number: string) => number;
