package ai.appliance.provisioning.pki;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** The DNS and IP subjectAltNames of a certificate. */
record SubjectNames(List<String> dns, List<String> ips) {
    private static final int DNS = 2;
    private static final int IP = 7;

    static SubjectNames of(X509Certificate cert) {
        var dns = new ArrayList<String>();
        var ips = new ArrayList<String>();
        try {
            var names = cert.getSubjectAlternativeNames();
            if (names != null) {
                for (var n : names) {
                    int type = (Integer) n.get(0);
                    if (type == DNS) dns.add((String) n.get(1));
                    if (type == IP) ips.add((String) n.get(1));
                }
            }
        } catch (CertificateParsingException e) {
            throw new PkiException("the subjectAltName of " + cert.getSubjectX500Principal() + " does not parse", e);
        }
        return new SubjectNames(dns, ips);
    }
}
