"""Optional TLS and mutual TLS on gRPC, from certificate files named in the settings of every service.

Off by default (in-cluster plaintext). GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE: the service's certificate and key;
a server then serves TLS only, and a channel presents them when its peer asks for a client certificate.
GRPC_TLS_CA_FILE: the CA that signed the peers' certificates; channels then speak TLS and check the server's
certificate (its names must include the address dialled). GRPC_TLS_CLIENT_AUTH=true: servers accept only clients
presenting a certificate signed by that CA (mutual TLS), so that only our own services can call them.
"""

from pathlib import Path
from typing import Self

import grpc
from pydantic import model_validator
from pydantic_settings import BaseSettings

from service_kit.shared_setting import shared_setting


class GrpcTlsSettings(BaseSettings):
    """What each service's settings inherit: its gRPC server's and channels' certificates."""

    grpc_tls_cert_file: Path | None = shared_setting("GRPC_TLS_CERT_FILE", None)
    grpc_tls_key_file: Path | None = shared_setting("GRPC_TLS_KEY_FILE", None)
    grpc_tls_ca_file: Path | None = shared_setting("GRPC_TLS_CA_FILE", None)
    grpc_tls_client_auth: bool = shared_setting("GRPC_TLS_CLIENT_AUTH", False)

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if (self.grpc_tls_cert_file is None) != (self.grpc_tls_key_file is None):
            raise ValueError("GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE go together: set both or neither")
        if self.grpc_tls_client_auth and (self.grpc_tls_ca_file is None or self.grpc_tls_cert_file is None):
            raise ValueError(
                "GRPC_TLS_CLIENT_AUTH=true needs GRPC_TLS_CA_FILE, GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE"
            )
        return self

    def server_credentials(self) -> grpc.ServerCredentials | None:
        """TLS for a server when a certificate is set (clients must present one signed by the CA with client auth);
        None for plaintext."""
        if self.grpc_tls_cert_file is None or self.grpc_tls_key_file is None:
            return None
        pair = (self.grpc_tls_key_file.read_bytes(), self.grpc_tls_cert_file.read_bytes())
        clients_ca = _read(self.grpc_tls_ca_file) if self.grpc_tls_client_auth else None
        return grpc.ssl_server_credentials(
            [pair], root_certificates=clients_ca, require_client_auth=self.grpc_tls_client_auth
        )

    def channel_credentials(self) -> grpc.ChannelCredentials | None:
        """TLS for a channel when a CA is set (presenting the service's certificate, if any); None for plaintext."""
        if self.grpc_tls_ca_file is None:
            return None
        return grpc.ssl_channel_credentials(
            root_certificates=self.grpc_tls_ca_file.read_bytes(),
            private_key=_read(self.grpc_tls_key_file),
            certificate_chain=_read(self.grpc_tls_cert_file),
        )


def _read(path: Path | None) -> bytes | None:
    return None if path is None else path.read_bytes()
