export declare const CSP: string;
export declare const HEADER_CSP: string;
export declare const ISOLATION_HEADERS: Readonly<Record<string, string>>;
export declare const SERVER_HEADERS: Readonly<Record<string, string>>;
export declare const CSP_META: string;
