DROP TABLE file_attachments;
DROP TABLE uploaded_files;
